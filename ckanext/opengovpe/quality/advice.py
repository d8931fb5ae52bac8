"""What a publisher does to earn each criterion's points, shown on the dataset page."""
from __future__ import annotations

from ..translation import N_

ADVICE = {
    "keywords": N_("Add keywords (tags)."),
    "themes": N_("Choose the dataset's topic (national portal or EU theme)."),
    "spatial": N_("Add the place the data covers (UBIGEO or a geographic area)."),
    "temporal": N_("Add the period the data covers."),
    "access_url_reachable": N_(
        "Make every resource's access address answer: it did not respond, or has not "
        "been checked yet."),
    "download_url": N_("Give every resource a direct download address."),
    "download_url_reachable": N_(
        "Make every download address answer: it did not respond, or has not been checked "
        "yet."),
    "format": N_("State every resource's format."),
    "media_type": N_("State every resource's media type (MIME type)."),
    "format_vocabulary": N_(
        "Use formats and media types of the EU file-type list and the IANA register."),
    "non_proprietary": N_("Publish every resource in an open format as well (CSV, JSON, ODS…)."),
    "machine_readable": N_(
        "Publish every resource in a machine-readable format as well (CSV, JSON, XML…)."),
    "dcat_ap": N_("Complete the metadata DCAT-AP requires (title, description, publisher…)."),
    "licence": N_("Choose a licence for every resource."),
    "licence_vocabulary": N_("Choose a licence of the EU licence list."),
    "access_rights": N_("State the dataset's access level."),
    "access_rights_vocabulary": N_("Choose an access level of the list."),
    "contact_point": N_("Add a contact point."),
    "publisher": N_("Name the publisher (the dataset's entity)."),
    "rights": N_("State the rights of every resource."),
    "byte_size": N_("State every resource's size."),
    "issued": N_("Give the date the dataset was first published."),
    "modified": N_("Give the date the dataset was last changed."),
}
