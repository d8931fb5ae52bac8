"""Plugins of ckanext-opengovpe: glue only."""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.config.declaration import Declaration, Key
from ckan.config.declaration.option import Flag
from ckanext.dcat.interfaces import IDCATRDFHarvester

from . import csrf, declarations, errors, facets, paths, search_page, translation, views
from .dcat import records
from .federation import harvest
from .harvesters import recovery
from .logic import registry
from .programme import opendata, publication
from .quality import store as quality_store
from .search import action as search_action, dispatch, suggest_action

HERE = os.path.dirname(__file__)


class OpengovpeSearchPlugin(p.SingletonPlugin):
    """``opengovpe_search``: datasets indexed and searched in PostgreSQL instead of Solr."""

    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)

    # IActions: parameters of a type no search can use are refused before CKAN reads them;
    # typing help (corrections, title autocomplete) from the index
    def get_actions(self) -> dict[str, Any]:
        return {"package_search": search_action.package_search,
                "opengovpe_search_suggest": suggest_action.opengovpe_search_suggest}

    # IAuthFunctions
    def get_auth_functions(self) -> dict[str, Any]:
        return {"opengovpe_search_suggest": suggest_action.opengovpe_search_suggest_auth}

    # IConfigDeclaration
    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        declarations.load(declaration, os.path.join(HERE, "search", "config_declaration.yaml"))
        # with the index in PostgreSQL, CKAN runs without any Solr server
        solr_url = declaration[key.solr_url]
        solr_url.flags &= ~Flag.required

    # IConfigurer
    def update_config(self, config: CKANConfig) -> None:
        dispatch.install()


@tk.blanket.actions(registry.actions)
@tk.blanket.auth_functions(registry.auth_functions)
@tk.blanket.helpers
@tk.blanket.validators
@tk.blanket.cli
class OpengovpePlugin(p.SingletonPlugin):
    """``opengovpe``: the institutional open-data programme and its pages."""

    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IBlueprint)
    p.implements(p.ISignal)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IFacets, inherit=True)

    # IConfigDeclaration
    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        declarations.load(declaration, os.path.join(HERE, "config_declaration.yaml"))

    # IConfigurer
    def update_config(self, config: CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "opengovpe")

    # ITranslation
    def i18n_directory(self) -> str:
        return translation.I18N_DIRECTORY

    def i18n_locales(self) -> list[str]:
        return ["es", "en"]

    def i18n_domain(self) -> str:
        return translation.I18N_DOMAIN

    # ISignal: each plan is also published as an open dataset
    def get_signal_subscriptions(self) -> Any:
        return opendata.subscriptions()

    # IMiddleware: HTTP 503 rather than 500 while the database is down, a CSRF token on
    # every state-changing request of a browser session, and 404 for an address naming a
    # record with NUL
    def make_middleware(self, app: Any, config: CKANConfig) -> Any:
        if hasattr(app, "register_error_handler"):
            errors.register(app)
            csrf.install(app)
            paths.install(app)
        return app

    # IBlueprint
    def get_blueprint(self) -> list[Any]:
        return views.get_blueprints()

    # IPackageController: an inventory item follows its linked dataset, and the quality
    # score is stored by a background job once the change is committed
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        publication.sync_items(pkg_dict["id"], context.get("user"))
        quality_store.mark_changed(pkg_dict["id"])

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        publication.sync_items(pkg_dict["id"], context.get("user"))
        quality_store.mark_changed(pkg_dict["id"])

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        publication.sync_items(pkg_dict["id"], context.get("user"), deleting=True)
        quality_store.mark_changed(pkg_dict["id"])

    # IPackageController: the dataset search page lists procurement too
    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return search_page.widen(search_params)

    # IPackageController: the search page's facets show labels, not codes
    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]
                             ) -> dict[str, Any]:
        return facets.label_values(search_results)

    # IPackageController: the catalogue keeps the dict CKAN indexes, on Solr or not;
    # subfields, plan states, place and year are indexed for facets
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        records.write(pkg_dict)
        return facets.enrich(pkg_dict)

    # IFacets: theme, level of government, department and year on the search page
    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str
                       ) -> dict[str, Any]:
        return facets.page_facets(facets_dict, package_type)


class OpengovpeHarvestPlugin(p.SingletonPlugin):
    """``opengovpe_harvest``: ckanext-dcat's RDF harvester limited to safe sources and input."""

    p.implements(p.IActions)
    p.implements(p.IPackageController, inherit=True)
    p.implements(IDCATRDFHarvester, inherit=True)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)

    # IFacets: ckanext-harvest names its source facets with untranslated text
    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str
                       ) -> dict[str, Any]:
        return harvest.facet_titles(facets_dict, package_type)

    def organization_facets(self, facets_dict: dict[str, Any], organization_type: str,
                            package_type: str) -> dict[str, Any]:
        return harvest.facet_titles(facets_dict, package_type)

    # ITranslation: Spanish for ckanext-harvest's pages, which ship none
    def i18n_directory(self) -> str:
        return translation.I18N_DIRECTORY

    def i18n_locales(self) -> list[str]:
        return ["es"]

    def i18n_domain(self) -> str:
        return translation.HARVEST_I18N_DOMAIN

    # IActions: harvest source URLs are checked when saved
    def get_actions(self) -> dict[str, Any]:
        return {"package_create": harvest.package_create,
                "package_update": harvest.package_update,
                "harvest_jobs_run": recovery.harvest_jobs_run}

    # IPackageController: a harvest source stays readable from the index after a job
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return harvest.validated_source(pkg_dict)

    # IPackageController: the source list's frequency facet in words
    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        return harvest.facet_labels(search_results)

    # IDCATRDFHarvester
    def before_download(self, url: str, harvest_job: Any) -> tuple[Any, list[str]]:
        return harvest.before_download(url)

    def update_session(self, session: Any) -> Any:
        return harvest.GuardedSession()

    def after_download(self, content: Any, harvest_job: Any) -> tuple[Any, list[str]]:
        return harvest.after_download(content)

    def after_parsing(self, rdf_parser: Any, harvest_job: Any) -> tuple[Any, list[str]]:
        return harvest.after_parsing(rdf_parser)
