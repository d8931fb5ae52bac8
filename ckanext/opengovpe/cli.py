"""``ckan opengovpe …`` commands."""
from __future__ import annotations

import click

import ckan.plugins.toolkit as tk

from .dcat import dump as catalog_dump_module
from .demo import seed as demo_seed
from .federation import sync
from .programme import notify

__all__ = ["opengovpe"]


@click.group(short_help="Open-data programme commands (ckanext-opengovpe)")
def opengovpe() -> None:
    """Commands of ckanext-opengovpe."""


@opengovpe.command("seed-demo")
@click.option("--organization", default=None,
              help="Name of the demo entity (default: ckanext.opengovpe.demo.organization)")
def seed_demo(organization: str | None) -> None:
    """Create the demo entity and datasets that are missing; safe to run again."""
    name = organization or tk.config.get("ckanext.opengovpe.demo.organization")
    created = demo_seed.seed(name)
    if created:
        for item in created:
            click.echo(f"created {item}")
    else:
        click.echo("demo content already present")


@opengovpe.command("notify-overdue")
@click.option("--days", default=7, show_default=True, type=click.IntRange(0, 365),
              help="Also remind of milestones due within this many days")
def notify_overdue(days: int) -> None:
    """E-mail each responsible person their overdue and due-soon milestones (once a day each)."""
    result = notify.send(days)
    click.echo(f"{result['emails']} e-mails sent for {result['milestones']} milestones"
               + (f", {result['failed']} failed" if result["failed"] else ""))
    if result["failed"]:
        raise SystemExit(1)


@opengovpe.command("national-sync-report")
@click.option("--portal", default=None,
              help="National portal address (default: ckanext.opengovpe.national_portal.url)")
@click.option("--publisher", default=None,
              help="Organization name or title there (default: "
                   "ckanext.opengovpe.national_portal.publisher)")
@click.option("--organization", default=None,
              help="Compare only this local entity's datasets (publisher there: its "
                   "national portal name, unless --publisher is given)")
@click.option("--format", "fmt", type=click.Choice(sync.FORMATS), default="table",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to this file instead of the terminal")
def national_sync_report(portal: str | None, publisher: str | None,
                         organization: str | None, fmt: str, output: str | None) -> None:
    """Which public datasets the national portal has, lacks, has outdated, or only it has."""
    if not publisher and not organization:
        publisher = tk.config.get("ckanext.opengovpe.national_portal.publisher")
    report = sync.build(portal or tk.config.get("ckanext.opengovpe.national_portal.url"),
                        publisher, organization)
    text = sync.render(report, fmt)
    if output:
        with open(output, "w", encoding="utf-8") as target:
            target.write(text)
    else:
        click.echo(text, nl=False)
    if report.error:
        if output or fmt != "table":
            click.echo(f"Error: {report.error_text()}", err=True)
        raise SystemExit(2)


@opengovpe.command("catalog-dump")
@click.option("--format", "fmt", type=click.Choice(catalog_dump_module.FORMATS), default="ttl",
              show_default=True, help="Turtle, N-Triples, JSON-LD or RDF/XML")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="File to write the catalogue to")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=None,
              help="Datasets serialised at a time "
              "(default: ckanext.opengovpe.dcat.dump_batch_size)")
def catalog_dump(fmt: str, output: str, batch_size: int | None) -> None:
    """Write the whole DCAT-AP catalogue (public datasets) to a file, in batches."""
    size = batch_size or int(tk.config.get("ckanext.opengovpe.dcat.dump_batch_size"))
    with open(output, "w", encoding="utf-8") as target:
        count = catalog_dump_module.dump(target, fmt, size)
    click.echo(f"{count} datasets written to {output}")


@opengovpe.command("catalog-records")
@click.option("--all", "rewrite_all", is_flag=True,
              help="Rewrite every published dataset's record, not only missing or stale ones")
def catalog_records(rewrite_all: bool) -> None:
    """Write the catalogue's record of each published dataset that lacks a current one.

    CKAN keeps them up to date as it indexes datasets; run this once after upgrading a
    portal that did not run opengovpe_search, so the catalogue need not rebuild them.
    """
    import ckan.model as model

    from .dcat import records

    ids = records.outdated(include_current=rewrite_all)
    for done, package_id in enumerate(ids, start=1):
        records.rebuild(package_id)
        if done % 100 == 0:
            model.Session.commit()
    model.Session.commit()
    click.echo(f"{len(ids)} catalogue records written")


@opengovpe.command("harvest-consumer")
@click.argument("kind", type=click.Choice(["gather", "fetch"]))
@click.option("--once", is_flag=True, help="Stop as soon as the queue is empty")
def harvest_consumer(kind: str, once: bool) -> None:
    """ckanext-harvest's gather or fetch consumer, which an idle Redis queue does not stop.

    Use it instead of `ckan harvester gather-consumer` / `fetch-consumer`, which die every
    5 seconds of an idle queue with CKAN 2.12's redis-py 8.
    """
    from .harvesters import consumers

    handled = consumers.run(kind, once=once)
    if once:
        click.echo(f"{handled} {kind} messages handled")


@opengovpe.command("scheduler")
@click.option("--once", is_flag=True, help="Enqueue the jobs that are due and stop")
def scheduler(once: bool) -> None:
    """Enqueue the portal's recurring jobs at their intervals (ckanext.opengovpe.jobs.*);
    ``ckan jobs worker`` runs them."""
    from .jobs import scheduler as jobs_scheduler

    if once:
        enqueued = jobs_scheduler.tick()
        click.echo(f"{len(enqueued)} jobs enqueued"
                   + (f": {', '.join(enqueued)}" if enqueued else ""))
        return
    jobs_scheduler.run()
