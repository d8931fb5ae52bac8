"""The ``dcat_ap_pe`` RDF profile: DCAT-AP 3 with the Peruvian publication schema.

It extends ckanext-dcat's ``euro_dcat_ap_3`` (whose parser it reuses) and writes every field of
``schemas/dataset.yaml`` and of the entity profile (``schemas/organization.yaml``) with
controlled-vocabulary URIs (see :mod:`.vocabulary`). The writer builds the triples directly from
the dataset dict, without the stock profile's per-field lookups, so a catalogue page is cheap;
used after ``euro_dcat_ap_3`` in ``ckanext.dcat.rdf.profiles`` it replaces what that profile wrote
for the dataset. The parser reads its own output back into the same fields.
"""
from __future__ import annotations

import datetime
import json
import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles.base import GEOJSON_IMT, GSP
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import catalog_uri, resource_uri
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from .. import vocab
from . import catalog
from .fields import as_list, mailto
from . import vocabulary as v
from .vocabulary import ADMS, DCAT, DCATAP, DCT, DQV, FOAF, LOCN, ORG, PROV, VCARD

log = logging.getLogger(__name__)

GEOJSON = URIRef(GEOJSON_IMT)
_PLAIN_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
_DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}

# the organisation that keeps the register of RUCs
RUC_AGENCY = "SUNAT"

# the key of a dataset dict that holds its stored quality score (``quality/store.py``),
# attached by whoever writes many datasets with one query; None: write no measurement
QUALITY_KEY = "opengovpe_quality_score"


def _is_uri(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://", "urn:"))


def organization_uri(org: dict[str, Any]) -> URIRef:
    """The URI of an entity as publisher: its page on this portal."""
    return URIRef(f"{catalog_uri().rstrip('/')}/organization/{org.get('name') or org['id']}")


class DcatApPeProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 for Peruvian public entities (PNDA topics, UBIGEO, RUC, data.json levels)."""

    # whether a dataset's triples already in the graph (from another profile) are replaced;
    # off when one instance writes many datasets into a fresh graph
    replace_existing = True

    # --- writing -----------------------------------------------------------------------

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        if self.replace_existing:
            # what an earlier profile (euro_dcat_ap_3) wrote for this dataset is replaced
            for node in list(self.g.objects(dataset_ref, None)):
                if isinstance(node, BNode):
                    self.g.remove((node, None, None))
            self.g.remove((dataset_ref, None, None))
        self._write_core(dataset_dict, dataset_ref)
        self._write_classification(dataset_dict, dataset_ref)
        self._write_spatial(dataset_dict, dataset_ref)
        self._temporal(dataset_dict, dataset_ref)
        for contact in as_list(dataset_dict.get("contact")):
            self._contact(dataset_ref, contact)
        self._publisher(dataset_dict, dataset_ref)

        license_id = dataset_dict.get("license_id")
        # DCAT-AP puts licences on distributions; the dataset's own is kept for readers
        # (and our parser) to tell it from a distribution's different one
        self._concept(dataset_ref, DCT.license, "license", license_id, DCT.LicenseDocument)
        for resource in dataset_dict.get("resources") or []:
            self._distribution(dataset_ref, resource, license_id, self._default_lang)
        self._quality(dataset_dict, dataset_ref)

    def _quality(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """The stored MQA score as DQV measurements: the total and each dimension's points.

        Read from ``QUALITY_KEY`` when the caller attached it, else from the stored row
        (one indexed query); never computed here."""
        if QUALITY_KEY in dataset_dict:
            row = dataset_dict[QUALITY_KEY]
        else:
            from ..quality import store

            row = store.stored_rows([dataset_dict["id"]]).get(dataset_dict["id"]) \
                if dataset_dict.get("id") else None
        if not row:
            return
        g = self.g
        computed = row["computed_at"]
        if isinstance(computed, str):
            computed = datetime.datetime.fromisoformat(computed)
        for name, metric in v.MQA_METRICS.items():
            value = row["total" if name == "score" else name]
            node = URIRef(f"{dataset_ref}#mqa-{name}")
            g.add((dataset_ref, DQV.hasQualityMeasurement, node))
            g.add((node, RDF.type, DQV.QualityMeasurement))
            g.add((node, DQV.computedOn, dataset_ref))
            g.add((node, DQV.isMeasurementOf, metric))
            g.add((node, DQV.value, Literal(Decimal(str(round(value, 2))), datatype=XSD.decimal)))
            g.add((node, PROV.generatedAtTime,
                   Literal(computed.isoformat(), datatype=XSD.dateTime)))
            g.add((metric, RDF.type, DQV.Metric))

    def _write_core(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Type, title, description, keywords, identifier, version, dates, landing page."""
        add, lang = self.g.add, self._default_lang
        add((dataset_ref, RDF.type, DCAT.Dataset))
        self._text(dataset_ref, DCT.title, dataset_dict.get("title"), lang)
        self._text(dataset_ref, DCT.description, dataset_dict.get("notes"), lang)
        for tag in dataset_dict.get("tags") or []:
            add((dataset_ref, DCAT.keyword, Literal(tag["name"], lang=lang)))
        add((dataset_ref, DCT.identifier,
             Literal(dataset_dict.get("identifier") or dataset_dict["id"])))
        if dataset_dict.get("version"):
            add((dataset_ref, DCAT.version, Literal(dataset_dict["version"])))
        self._date(dataset_ref, DCT.issued,
                   dataset_dict.get("issued") or dataset_dict.get("metadata_created"))
        self._date(dataset_ref, DCT.modified,
                   dataset_dict.get("modified") or dataset_dict.get("metadata_modified"))
        if _is_uri(dataset_dict.get("url")):
            add((dataset_ref, DCAT.landingPage, URIRef(dataset_dict["url"])))
            add((URIRef(dataset_dict["url"]), RDF.type, FOAF.Document))

    def _write_classification(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Frequency, languages, access rights, themes, standards and documentation."""
        add = self.g.add
        self._concept(dataset_ref, DCT.accrualPeriodicity, "frequency",
                      dataset_dict.get("frequency"), DCT.Frequency)
        for code in as_list(dataset_dict.get("language")):
            self._concept(dataset_ref, DCT.language, "language", code, DCT.LinguisticSystem)
        self._concept(dataset_ref, DCT.accessRights, "access_level",
                      dataset_dict.get("access_rights"), DCT.RightsStatement)
        self._themes(dataset_dict, dataset_ref)
        for value in as_list(dataset_dict.get("conforms_to")):
            self._resource_or_label(dataset_ref, DCT.conformsTo, value, DCT.Standard)
        for value in as_list(dataset_dict.get("documentation")):
            self._resource_or_label(dataset_ref, FOAF.page, value, FOAF.Document)
        if _is_uri(dataset_dict.get("data_dictionary")):
            page = URIRef(dataset_dict["data_dictionary"])
            add((dataset_ref, FOAF.page, page))
            add((page, RDF.type, FOAF.Document))
            add((page, DCT.type, v.DATA_DICTIONARY))

    def _text(self, subject: Node, predicate: URIRef, value: Any, lang: str | None) -> None:
        if value:
            self.g.add((subject, predicate, Literal(value, lang=lang)))

    def _date(self, subject: Node, predicate: URIRef, value: Any) -> None:
        """A date as xsd:gYear, gYearMonth, date or dateTime (CKAN's timestamps are UTC)."""
        if not value:
            return
        text = str(value)
        datatype = _DATE_TYPES.get(len(text)) if _PLAIN_DATE.fullmatch(text) else None
        if datatype is not None:
            self.g.add((subject, predicate, Literal(text, datatype=datatype)))
            return
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            self._add_date_triple(subject, predicate, value)
            return
        # from the datetime itself: rdflib would parse a lexical form again
        self.g.add((subject, predicate, Literal(moment)))

    def _concept(self, subject: Node, predicate: URIRef, name: str, value: Any,
                 cls: URIRef | None = None) -> URIRef | None:
        uri = v.concept_uri(name, value)
        if uri is not None:
            self.g.add((subject, predicate, uri))
            if cls is not None:
                self._type(uri, cls)
        return uri

    def _type(self, node: URIRef, cls: URIRef) -> None:
        """``node a cls``, written once per graph for concepts many datasets share."""
        typed = self.__dict__.setdefault("_typed", set())
        if (node, cls) not in typed:
            typed.add((node, cls))
            self.g.add((node, RDF.type, cls))

    def _resource_or_label(self, subject: Node, predicate: URIRef, value: Any,
                           cls: URIRef) -> None:
        """A URI as itself; free text as a blank node of ``cls`` labelled with it."""
        if not value:
            return
        node: Node = URIRef(value) if _is_uri(value) else BNode()
        self.g.add((subject, predicate, node))
        self.g.add((node, RDF.type, cls))
        if isinstance(node, BNode):
            self.g.add((node, RDFS.label, Literal(value)))

    def _themes(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        eu_themes = as_list(dataset_dict.get("eu_theme"))
        topic = vocab.term("pnda_theme", dataset_dict.get("pnda_theme"))
        if not eu_themes and topic is not None and topic.get("eu_theme"):
            eu_themes = [topic.get("eu_theme")]
        for code in eu_themes:
            self._concept(dataset_ref, DCAT.theme, "eu_theme", code)
        self._concept(dataset_ref, DCAT.theme, "pnda_theme", dataset_dict.get("pnda_theme"))
        for uri in as_list(dataset_dict.get("theme")):
            # concepts of other vocabularies: their own publishers describe them
            if _is_uri(uri):
                self.g.add((dataset_ref, DCAT.theme, URIRef(uri)))

    def _write_spatial(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        for code in as_list(dataset_dict.get("ubigeo_coverage")):
            uri = v.ubigeo_uri(code)
            if uri is not None:
                self.g.add((dataset_ref, DCT.spatial, uri))
                self._type(uri, DCT.Location)
        for item in as_list(dataset_dict.get("spatial_coverage")):
            if not isinstance(item, dict) or not any(item.values()):
                continue
            node: Node = URIRef(item["uri"]) if _is_uri(item.get("uri")) else BNode()
            self.g.add((dataset_ref, DCT.spatial, node))
            self.g.add((node, RDF.type, DCT.Location))
            if item.get("text"):
                self.g.add((node, SKOS.prefLabel, Literal(item["text"])))
            for key, predicate in (("geom", LOCN.geometry), ("bbox", DCAT.bbox),
                                   ("centroid", DCAT.centroid)):
                if item.get(key):
                    self.g.add((node, predicate, self._geometry(item[key])))

    @staticmethod
    def _geometry(value: str) -> Literal:
        """A geometry as entered: GeoJSON (its IANA type as datatype), else WKT."""
        try:
            geometry = json.loads(value)
        except (TypeError, ValueError):
            geometry = None
        if isinstance(geometry, dict):
            return Literal(json.dumps(geometry), datatype=GEOJSON)
        return Literal(value, datatype=GSP.wktLiteral)

    def _temporal(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        for item in as_list(catalog.temporal_periods(dataset_dict)):
            if not isinstance(item, dict) or not (item.get("start") or item.get("end")):
                continue
            period = BNode()
            self.g.add((dataset_ref, DCT.temporal, period))
            self.g.add((period, RDF.type, DCT.PeriodOfTime))
            self._date(period, DCAT.startDate, item.get("start"))
            self._date(period, DCAT.endDate, item.get("end"))

    def _contact(self, dataset_ref: URIRef, contact: Any) -> None:
        if not isinstance(contact, dict) or not any(contact.values()):
            return
        node: Node = URIRef(contact["uri"]) if _is_uri(contact.get("uri")) else BNode()
        self.g.add((dataset_ref, DCAT.contactPoint, node))
        self.g.add((node, RDF.type, VCARD.Kind))
        self.g.add((node, RDF.type, VCARD.Organization))
        if contact.get("name"):
            self.g.add((node, VCARD.fn, Literal(contact["name"])))
        if contact.get("email"):
            self.g.add((node, VCARD.hasEmail, URIRef(mailto(contact["email"]))))

    def _publisher(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        declared = [p for p in as_list(dataset_dict.get("publisher"))
                    if isinstance(p, dict) and any(p.values())]
        if declared:
            self._declared_agent(dataset_ref, declared[0])
            return
        org = self._organization(dataset_dict)
        if org:
            self.g.add((dataset_ref, DCT.publisher, self.add_organization(org)))

    def _declared_agent(self, dataset_ref: URIRef, agent: dict[str, Any]) -> None:
        g = self.g
        node: Node = URIRef(agent["uri"]) if _is_uri(agent.get("uri")) else BNode()
        g.add((dataset_ref, DCT.publisher, node))
        g.add((node, RDF.type, FOAF.Agent))
        g.add((node, RDF.type, FOAF.Organization))
        g.add((node, FOAF.name, Literal(agent.get("name") or agent.get("uri") or "")))
        if _is_uri(agent.get("url")):
            g.add((node, FOAF.homepage, URIRef(agent["url"])))
        if agent.get("email"):
            g.add((node, FOAF.mbox, URIRef(mailto(agent["email"]))))
        if _is_uri(agent.get("type")):
            g.add((node, DCT.type, URIRef(agent["type"])))
            g.add((URIRef(agent["type"]), RDF.type, SKOS.Concept))
        if agent.get("identifier"):
            g.add((node, DCT.identifier, Literal(agent["identifier"])))

    def _organization(self, dataset_dict: dict[str, Any]) -> dict[str, Any] | None:
        """The dataset's entity with its profile fields (organization_show when not given)."""
        org = dataset_dict.get("organization")
        if not org:
            return None
        if org.get("opengovpe_profile") or "ruc" in org:
            return org
        try:
            return tk.get_action("organization_show")(
                {"ignore_auth": True}, {"id": org["id"], "include_datasets": False,
                                        "include_dataset_count": False,
                                        "include_users": False, "include_groups": False,
                                        "include_tags": False, "include_followers": False})
        except tk.ObjectNotFound:
            return org

    def add_organization(self, org: dict[str, Any]) -> URIRef:
        """Add an entity as a foaf:Organization with its RUC; returns its URI."""
        g = self.g
        node = organization_uri(org)
        if (node, RDF.type, FOAF.Organization) in g:
            return node
        lang = self._default_lang
        g.add((node, RDF.type, FOAF.Agent))
        g.add((node, RDF.type, FOAF.Organization))
        g.add((node, FOAF.name, Literal(org.get("title") or org.get("name"), lang=lang)))
        self._organization_labels(node, org, lang)
        if org.get("ruc"):
            self._ruc(node, org["ruc"])
        publisher_type = v.PUBLISHER_TYPES.get(org.get("level_of_government") or "")
        if publisher_type is not None:
            g.add((node, DCT.type, publisher_type))
        for name in ("entity_type", "sector"):
            self._concept(node, ORG.classification, name, org.get(name))
        seat = v.ubigeo_uri(org.get("ubigeo"))
        if seat is not None:
            g.add((node, DCT.spatial, seat))
        if _is_uri(org.get("website")):
            g.add((node, FOAF.homepage, URIRef(org["website"])))
        if org.get("open_data_email"):
            g.add((node, FOAF.mbox, URIRef(mailto(org["open_data_email"]))))
        for key, (role, _labels) in v.POSTS.items():
            if org.get(key) or org.get(f"{key}_email"):
                self._post(node, role, org.get(key), org.get(f"{key}_email"))
        return node

    def _organization_labels(self, node: URIRef, org: dict[str, Any], lang: str) -> None:
        g = self.g
        if org.get("name"):
            g.add((node, SKOS.notation, Literal(org["name"])))
        if org.get("acronym"):
            g.add((node, SKOS.altLabel, Literal(org["acronym"])))
        if org.get("national_portal_name"):
            g.add((node, SKOS.hiddenLabel, Literal(org["national_portal_name"], lang=lang)))
        self._text(node, DCT.description, org.get("description"), lang)
        if _is_uri(org.get("image_url")):
            g.add((node, FOAF.logo, URIRef(org["image_url"])))

    def _ruc(self, node: URIRef, ruc: str) -> None:
        """The RUC as the entity's identifier, and as an ADMS identifier kept by SUNAT."""
        identifier = BNode()
        self.g.add((node, DCT.identifier, Literal(ruc)))
        self.g.add((node, ADMS.identifier, identifier))
        self.g.add((identifier, RDF.type, ADMS.Identifier))
        self.g.add((identifier, SKOS.notation, Literal(ruc)))
        self.g.add((identifier, ADMS.schemaAgency, Literal(RUC_AGENCY)))

    def _post(self, node: URIRef, role: URIRef, name: str | None, email: str | None) -> None:
        """A post of the entity (org:Post) and the person who holds it."""
        post, person = BNode(), BNode()
        self.g.add((node, ORG.hasPost, post))
        self.g.add((post, RDF.type, ORG.Post))
        self.g.add((post, ORG.role, role))
        self.g.add((post, ORG.heldBy, person))
        self.g.add((person, RDF.type, FOAF.Person))
        if name:
            self.g.add((person, FOAF.name, Literal(name)))
        if email:
            self.g.add((person, FOAF.mbox, URIRef(mailto(email))))

    def _distribution(self, dataset_ref: URIRef, resource: dict[str, Any],
                      license_id: str | None, lang: str) -> None:
        g = self.g
        ref = URIRef(resource_uri(resource))
        g.add((dataset_ref, DCAT.distribution, ref))
        g.add((ref, RDF.type, DCAT.Distribution))
        self._text(ref, DCT.title, resource.get("name"), lang)
        self._text(ref, DCT.description, resource.get("description"), lang)
        url = resource.get("url")
        access = resource.get("access_url") or url
        download = resource.get("download_url") or url
        if _is_uri(access):
            g.add((ref, DCAT.accessURL, URIRef(access)))
        if _is_uri(download):
            g.add((ref, DCAT.downloadURL, URIRef(download)))
        self._format(ref, resource)
        self._concept(ref, DCT.license, "license", resource.get("license") or license_id,
                      DCT.LicenseDocument)
        self._rights(ref, resource)
        self._date(ref, DCT.issued, resource.get("created"))
        self._date(ref, DCT.modified,
                   resource.get("last_modified") or resource.get("metadata_modified"))

    def _format(self, ref: URIRef, resource: dict[str, Any]) -> None:
        """File type (EU vocabulary), media type (IANA) and size of a distribution."""
        g = self.g
        fmt = resource.get("format")
        file_type = v.file_type_uri(fmt)
        if file_type is not None:
            g.add((ref, DCT["format"], file_type))
            self._type(file_type, DCT.MediaTypeOrExtent)
        elif fmt:
            node = BNode()
            g.add((ref, DCT["format"], node))
            g.add((node, RDF.type, DCT.MediaTypeOrExtent))
            g.add((node, RDFS.label, Literal(fmt)))
        media = v.media_type_uri(resource.get("mimetype") or v.media_type_for_format(fmt))
        if media is not None:
            g.add((ref, DCAT.mediaType, media))
            self._type(media, DCT.MediaType)
        if resource.get("size") not in (None, ""):
            try:
                size = int(Decimal(str(resource["size"])))
            except (InvalidOperation, ValueError):
                size = -1
            if size >= 0:
                g.add((ref, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))

    def _rights(self, ref: URIRef, resource: dict[str, Any]) -> None:
        """Rights statement and planned availability of a distribution."""
        g = self.g
        if resource.get("rights"):
            statement = BNode()
            g.add((ref, DCT.rights, statement))
            g.add((statement, RDF.type, DCT.RightsStatement))
            g.add((statement, RDFS.label, Literal(resource["rights"])))
        availability = resource.get("availability")
        if availability:
            uri = v.availability_uri(availability)
            node = uri if uri is not None else BNode()
            g.add((ref, DCATAP.availability, node))
            g.add((node, RDF.type, SKOS.Concept))
            if uri is None:
                g.add((node, SKOS.prefLabel, Literal(availability)))

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None,
                           catalog_ref: URIRef) -> None:
        """Catalogue metadata: title, description, publisher, homepage, language, taxonomies.

        ``catalog_dict`` may give ``title``, ``description``, ``homepage``, ``modified`` and
        ``publisher`` (``name``, ``uri``, ``email``, ``url``); the rest comes from the config.
        """
        g = self.g
        catalog_dict = catalog_dict or {}
        for prefix, namespace in (("dcat", DCAT), ("dct", DCT), ("foaf", FOAF),
                                  ("skos", SKOS), ("vcard", VCARD), ("adms", ADMS),
                                  ("dcatap", DCATAP), ("locn", LOCN), ("org", ORG),
                                  ("pe", v.PE), ("owl", OWL)):
            g.bind(prefix, namespace)
        config = tk.config
        lang = self._default_lang
        g.remove((catalog_ref, None, None))
        g.add((catalog_ref, RDF.type, DCAT.Catalog))
        title = catalog_dict.get("title") or config.get("ckan.site_title")
        description = (catalog_dict.get("description")
                       or config.get("ckan.site_description") or title)
        self._text(catalog_ref, DCT.title, title, lang)
        self._text(catalog_ref, DCT.description, description, lang)
        homepage = catalog_dict.get("homepage") or config.get("ckan.site_url")
        if _is_uri(homepage):
            g.add((catalog_ref, FOAF.homepage, URIRef(homepage)))
            g.add((URIRef(homepage), RDF.type, FOAF.Document))
        language = next((t.value for t in vocab.terms("language")
                         if t.get("iso639_1") == lang), None)
        self._concept(catalog_ref, DCT.language, "language", language, DCT.LinguisticSystem)
        for name in ("eu_theme", "pnda_theme"):
            scheme, labels = v.SCHEMES[name]
            g.add((catalog_ref, DCAT.themeTaxonomy, scheme))
            g.add((scheme, RDF.type, SKOS.ConceptScheme))
            for label_lang, text in labels.items():
                g.add((scheme, DCT.title, Literal(text, lang=label_lang)))
        publisher = catalog_dict.get("publisher") or {}
        name = publisher.get("name") or config.get("ckanext.opengovpe.dcat.publisher_name") \
            or title
        uri = publisher.get("uri") or config.get("ckanext.opengovpe.dcat.publisher_uri") \
            or f"{str(catalog_ref).rstrip('/')}/#publisher"
        agent = URIRef(uri)
        g.add((catalog_ref, DCT.publisher, agent))
        g.add((agent, RDF.type, FOAF.Agent))
        g.add((agent, RDF.type, FOAF.Organization))
        g.add((agent, FOAF.name, Literal(name, lang=lang)))
        email = publisher.get("email") or config.get("ckanext.opengovpe.dcat.publisher_email")
        if email:
            g.add((agent, FOAF.mbox, URIRef(mailto(email))))
        if catalog_dict.get("modified"):
            self._date(catalog_ref, DCT.modified, catalog_dict["modified"])

    # --- parsing -----------------------------------------------------------------------

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> dict[str, Any]:
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        g = self.g
        extras = {e["key"]: e["value"] for e in dataset_dict.get("extras", [])}
        for key in ("identifier", "issued", "modified"):
            if key in extras:
                dataset_dict[key] = extras[key]
        dataset_dict["type"] = "dataset"
        dataset_dict["frequency"] = v.value_for_uri(
            "frequency", g.value(dataset_ref, DCT.accrualPeriodicity)) or ""
        dataset_dict["language"] = [code for code in (
            v.value_for_uri("language", o) for o in g.objects(dataset_ref, DCT.language))
            if code]
        dataset_dict["access_rights"] = v.value_for_uri(
            "access_level", g.value(dataset_ref, DCT.accessRights)) or ""
        self._parse_themes(dataset_dict, dataset_ref)
        self._parse_pages(dataset_dict, dataset_ref)
        self._parse_spatial(dataset_dict, dataset_ref)
        publishers = dataset_dict.get("publisher") or []
        for agent in publishers:
            agent.pop("actedOnBehalfOf", None)
        self._parse_licences(dataset_dict, dataset_ref)
        dataset_dict["extras"] = [e for e in dataset_dict.get("extras", [])
                                  if not self._schema_field(e["key"])
                                  and e["key"] not in ("identifier", "issued", "modified",
                                                       "frequency", "language", "theme",
                                                       "access_rights", "conforms_to",
                                                       "documentation", "homepage")]
        return dataset_dict

    def _parse_themes(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        eu_themes, others, topic = [], [], ""
        for theme in self.g.objects(dataset_ref, DCAT.theme):
            if v.value_for_uri("eu_theme", theme):
                eu_themes.append(v.value_for_uri("eu_theme", theme))
            elif v.value_for_uri("pnda_theme", theme):
                topic = v.value_for_uri("pnda_theme", theme) or ""
            else:
                others.append(str(theme))
        dataset_dict.update(eu_theme=sorted(eu_themes), pnda_theme=topic, theme=sorted(others))

    def _parse_pages(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """Standards, documentation and the data dictionary (a page of that type)."""
        dataset_dict["conforms_to"] = self._labels_or_uris(dataset_ref, DCT.conformsTo)
        documentation, dictionary = [], ""
        for page in self.g.objects(dataset_ref, FOAF.page):
            if (page, DCT.type, v.DATA_DICTIONARY) in self.g:
                dictionary = str(page)
            else:
                documentation.append(self._label_or_uri(page))
        dataset_dict["documentation"] = documentation
        dataset_dict["data_dictionary"] = dictionary

    def _parse_spatial(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """UBIGEO concepts become codes; other places, spatial coverage items."""
        ubigeo, spatial = [], []
        for place in self.g.objects(dataset_ref, DCT.spatial):
            code = v.ubigeo_code(place)
            if code:
                ubigeo.append(code)
                continue
            item = {"uri": str(place) if isinstance(place, URIRef) else "",
                    "text": self._object_value(place, SKOS.prefLabel)}
            for key, predicate in (("geom", LOCN.geometry), ("bbox", DCAT.bbox),
                                   ("centroid", DCAT.centroid)):
                item[key] = self._object_value(place, predicate)
            spatial.append({k: val for k, val in item.items() if val})
        dataset_dict["ubigeo_coverage"] = sorted(ubigeo)
        dataset_dict["spatial_coverage"] = spatial

    def _parse_licences(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """The dataset's licence; a distribution keeps its own only when it differs."""
        licences = set()
        for resource in dataset_dict.get("resources", []):
            self._parse_distribution(resource)
            if resource.get("license"):
                licences.add(resource["license"])
        own = v.value_for_uri("license", self.g.value(dataset_ref, DCT.license))
        if own or len(licences) == 1:
            dataset_dict["license_id"] = own or licences.pop()
            for resource in dataset_dict.get("resources", []):
                if resource.get("license") == dataset_dict["license_id"]:
                    resource.pop("license")

    def _label_or_uri(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return str(node)
        label = self.g.value(node, RDFS.label)
        return str(label) if label is not None else str(node)

    def _labels_or_uris(self, subject: Node, predicate: URIRef) -> list[str]:
        return [self._label_or_uri(o) for o in self.g.objects(subject, predicate)]

    def _parse_distribution(self, resource: dict[str, Any]) -> None:
        g = self.g
        ref: Node = (URIRef(resource["uri"]) if resource.get("uri")
                     else BNode(resource["distribution_ref"]))
        fmt = g.value(ref, DCT["format"])
        if fmt is not None:
            resource["format"] = v.format_for_uri(fmt) or self._label_or_uri(fmt)
        media = g.value(ref, DCAT.mediaType)
        if media is not None:
            resource["mimetype"] = v.mimetype_for_uri(media) or str(media)
        licence = g.value(ref, DCT.license)
        if licence is not None:
            resource["license"] = v.value_for_uri("license", licence) or str(licence)
        rights = g.value(ref, DCT.rights)
        if rights is not None:
            resource["rights"] = self._label_or_uri(rights)
        availability = g.value(ref, DCATAP.availability)
        if availability is not None:
            label = g.value(availability, SKOS.prefLabel)
            resource["availability"] = (str(availability).rsplit("/", 1)[1]
                                        if isinstance(availability, URIRef) else str(label))
        for key in ("distribution_ref", "hash_algorithm"):
            resource.pop(key, None)


def organization_from_graph(g: Any, node: Node) -> dict[str, Any]:
    """The entity-profile fields of a publisher written by :meth:`add_organization`."""
    def text(predicate: URIRef) -> str:
        value = g.value(node, predicate)
        return str(value) if value is not None else ""

    def mail(value: Any) -> str:
        return str(value)[len("mailto:"):] if value is not None else ""

    org: dict[str, Any] = {
        "title": text(FOAF.name), "name": text(SKOS.notation), "acronym": text(SKOS.altLabel),
        "national_portal_name": text(SKOS.hiddenLabel), "description": text(DCT.description),
        "image_url": text(FOAF.logo), "ruc": text(DCT.identifier),
        "website": text(FOAF.homepage), "open_data_email": mail(g.value(node, FOAF.mbox)),
        "ubigeo": v.ubigeo_code(g.value(node, DCT.spatial)) or "",
    }
    publisher_type = g.value(node, DCT.type)
    org["level_of_government"] = next(
        (level for level, uri in v.PUBLISHER_TYPES.items() if uri == publisher_type), "")
    for name in ("entity_type", "sector"):
        org[name] = next((value for value in (v.value_for_uri(name, c) for c in
                                              g.objects(node, ORG.classification)) if value), "")
    for key, (role, _labels) in v.POSTS.items():
        for post in g.objects(node, ORG.hasPost):
            if (post, ORG.role, role) in g:
                person = g.value(post, ORG.heldBy)
                org[key] = str(g.value(person, FOAF.name) or "")
                org[f"{key}_email"] = mail(g.value(person, FOAF.mbox))
    return {k: val for k, val in org.items() if val}

