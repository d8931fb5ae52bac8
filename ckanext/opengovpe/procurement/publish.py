"""Write procurement datasets: one per buyer and year, one per harvested file."""
from __future__ import annotations

import json
import logging
import shutil
import tempfile
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model
from werkzeug.datastructures import FileStorage

from . import build, store
from .flags import FLAGS

log = logging.getLogger(__name__)

DATASET_TYPE = "contrataciones"
MEDIA = {"CSV": "text/csv", "JSONL": "application/jsonl"}


def _context(user: str) -> dict[str, Any]:
    return {"model": model, "session": model.Session, "user": user, "ignore_auth": True}


def _existing(name: str, user: str) -> Optional[dict[str, Any]]:
    try:
        return tk.get_action("package_show")(_context(user), {"id": name})
    except tk.ObjectNotFound:
        return None


def owner(source: Any) -> Optional[str]:
    """The entity that publishes a harvest source's datasets: the source's own organization."""
    package = model.Package.get(source.id)
    return package.owner_org if package is not None else None


def stored_checksum(name: str) -> Optional[str]:
    """The checksum recorded by the last complete read of a harvested file, if any."""
    package = model.Package.get(name)
    if package is None or package.state != "active":
        return None
    return package.extras.get("checksum") or None


def write_buyer_year(source: Any, config: dict[str, Any], name: str,
                     user: str) -> Optional[str]:
    """Rebuild a buyer-year dataset from the stored processes; delete it when none is left."""
    releases = list(store.releases(source.id, name))
    existing = _existing(name, user)
    if not releases:
        if existing is not None and existing.get("state") == "active":
            tk.get_action("package_delete")(_context(user), {"id": existing["id"]})
        return None
    workdir = tempfile.mkdtemp(prefix="opengovpe-buyer-")
    try:
        stats = build.summarise(releases, workdir)
        buyer = releases[0].get("buyer") or {}
        ruc = next((r for r in (build.buyer_ruc(rel) for rel in releases) if r), "")
        year = name.rsplit("-", 1)[1]
        flags = stats["red_flags"]
        package = {
            "type": DATASET_TYPE,
            "name": name,
            "title": f"Contrataciones públicas: {buyer.get('name') or buyer.get('id')} ({year})",
            "notes": (f"Procesos de contratación de {buyer.get('name') or buyer.get('id')} "
                      f"en {year}, con sus adjudicaciones, contratos, proveedores y alertas. "
                      f"Fuente: {source.url}"),
            "owner_org": owner(source),
            "license_id": config["license_id"],
            "tag_string": "contratación pública,OCDS,alertas",
            "buyer_name": str(buyer.get("name") or ""),
            "buyer_id": str(buyer.get("id") or ""),
            "buyer_ruc": ruc,
            "year": year,
            "process_count": str(stats["processes"]),
            "award_count": str(stats["awards"]),
            "contract_count": str(stats["contracts"]),
            "estimate_pen": f"{stats['estimate_pen']:.2f}",
            "awarded_pen": f"{stats['awarded_pen']:.2f}",
            "contracted_pen": f"{stats['contracted_pen']:.2f}",
            "method_shares": json.dumps(stats["method_shares"]),
            "category_shares": json.dumps(stats["category_shares"]),
            "red_flags": json.dumps(flags),
            "red_flag_total": str(sum(flags.values())),
            "top_supplier": stats["concentration"]["top_supplier"],
            "top_supplier_share": str(stats["concentration"]["top_share"]),
            "hhi": str(stats["concentration"]["hhi"]),
            "temporal_start": stats["first_date"],
            "temporal_end": stats["last_date"],
            "harvest_source_id": source.id,
            "content_digest": store.content_digest(source.id, name),
        }
        if existing is None:
            # a draft until its files are stored: a harvest killed in between leaves nothing
            # public and nothing that looks finished (store.stale sends it back to be done)
            existing = tk.get_action("package_create")(
                _context(user), {**package, "state": "draft", "content_digest": ""})
        handles = [open(stats["files"][key], "rb") for key in build.FILES]  # noqa: SIM115
        try:
            # one update uploads every file to the filestore (package_update stores uploads)
            package["resources"] = [
                {"name": label, "format": fmt, "mimetype": MEDIA[fmt], "url": filename,
                 "upload": FileStorage(handle, filename, content_type=MEDIA[fmt])}
                for handle, (filename, fmt, label) in zip(handles, build.FILES.values())]
            package["id"] = existing["id"]
            package["state"] = "active"
            result = tk.get_action("package_update")(_context(user), package)
        finally:
            for handle in handles:
                handle.close()
        log.info("Procurement dataset %s: %s processes", name, stats["processes"])
        return result["id"]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def write_file_dataset(source: Any, config: dict[str, Any], info: dict[str, Any],
                       user: str) -> Optional[str]:
    """The dataset of one harvested file: its link, checksum and counts."""
    existing = _existing(info["name"], user)
    package = {
        "type": DATASET_TYPE,
        "name": info["name"],
        "title": f"Archivo OCDS {info.get('period') or info['url']}",
        "notes": f"Archivo de datos de contrataciones (OCDS) leído de {info['url']}.",
        "owner_org": owner(source),
        "license_id": config["license_id"],
        "source_url": info["url"],
        "period": info.get("period") or "",
        "checksum": info.get("sha256") or "",
        "record_count": str(info.get("records", 0)),
        "release_count": str(info.get("releases", 0)),
        "error_count": str(info.get("errors", 0)),
        "process_count": str(info.get("stored", 0)),
        "harvest_source_id": source.id,
        "resources": [{"name": "Archivo original", "url": info["url"],
                       "format": "ZIP" if info["url"].lower().endswith(".zip") else "JSON"}],
    }
    if existing is not None:
        package["id"] = existing["id"]
        package["state"] = "active"
        return tk.get_action("package_update")(_context(user), package)["id"]
    return tk.get_action("package_create")(_context(user), package)["id"]


def flag_definitions() -> list[dict[str, str]]:
    """Each red flag with its translated label, definition and reason, for pages."""
    return [{"code": code, "label": tk._(label), "definition": tk._(definition),
             "why": tk._(why)} for code, (label, definition, why) in FLAGS.items()]
