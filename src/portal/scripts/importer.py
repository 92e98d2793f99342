"""``portal-import <ini> <entity> FILE [--mapping MAPPING] [--atomic]``: load an accounting system's
CSV or XLSX export into one of the API's entities (``/api/v1/<entity>``), with the API's validation,
and write each row's outcome to ``FILE.report.csv`` (row, external_id, outcome, field, message).

An export a row per invoice line (number, dates, party, contract, then the line's text, quantity,
unit, price and VAT rate) goes into ``invoices`` with the line's columns mapped to ``lines.text``,
``lines.quantity``, ``lines.unit``, ``lines.price`` and ``lines.vat_rate``: consecutive rows of one
external id are one invoice, a line each, and the report names the invoice's rows (``5–7``), or the
row of the line an error is in. Any list of objects of an entity comes so (``<list>.<field>``).

Each batch of rows is a transaction of its own, so a large file goes in as it is read and a failed
row keeps nothing of itself only; ``--atomic`` makes the whole file one transaction, kept only when
no row failed (api/imports.py says how cells are read). Messages are in the portal's default
language (``pyramid.default_locale_name``). A progress bar shows on a terminal.

Exit status: 0 when every row went in, 1 when any row failed (or an atomic import kept nothing), 2
when the file, the mapping or the entity is wrong (nothing was imported).
"""
import argparse
import sys

from pyramid.i18n import make_localizer
from pyramid.interfaces import ITranslationDirectories
from pyramid.paster import bootstrap, setup_logging
from tqdm import tqdm

from portal.api.entities import api_entities
from portal.api.imports import file_import, load_mapping, report_path, run_import
from portal.api.services import batch_size
from portal.api.sheets import FileError
from portal.i18n import DEFAULT_LANGUAGE, _


def build_parser():
    parser = argparse.ArgumentParser(prog="portal-import", description="Import a CSV or XLSX file into an API entity.")
    parser.add_argument("config_uri", help="the .ini file, e.g. production.ini")
    parser.add_argument("entity", help="the entity, as in /api/v1/<entity> (e.g. contracts)")
    parser.add_argument("file", help="the .csv or .xlsx file; the report goes beside it")
    parser.add_argument("--mapping", help='a JSON file of column title → field, e.g. {"Код": "external_id"}')
    parser.add_argument("--atomic", action="store_true", help="all rows or none (one transaction)")
    return parser


def import_into(registry, args, translate, out=sys.stderr) -> tuple[int, str]:
    """The exit status and the closing line of one import."""
    entities = api_entities(registry)
    entity = entities.get(args.entity)
    if entity is None:
        raise FileError(_("There is no entity “${name}”; there are: ${names}.",
                          mapping={"name": args.entity, "names": ", ".join(sorted(entities))}))
    mapping = load_mapping(args.mapping) if args.mapping else None
    db = registry["dbsession_factory"]()
    try:
        with file_import(args.file, entity, mapping, translate=translate) as job, \
                tqdm(total=job.sheet.total, unit=" rows", file=out, disable=not out.isatty()) as bar:
            kept = run_import(db, job, batch_size=batch_size(registry.settings), atomic=args.atomic,
                              transaction=db.begin, progress=bar.update)
    finally:
        db.close()
    counts = job.counts
    values = dict(counts, entity=entity.name, report=report_path(args.file))
    if not kept:
        return 1, _("Nothing was imported into ${entity}: the import is all or nothing, and rows failed "
                    "(${error}). Report: ${report}", mapping=values)
    return (1 if counts["error"] else 0), _("Imported into ${entity}: ${created} created, ${updated} updated, "
                                            "${unchanged} unchanged, ${error} failed. Report: ${report}",
                                            mapping=values)


def main(argv=None):
    args = build_parser().parse_args(argv)
    setup_logging(args.config_uri)
    with bootstrap(args.config_uri) as env:
        registry = env["registry"]
        language = registry.settings.get("pyramid.default_locale_name") or DEFAULT_LANGUAGE
        translate = make_localizer(language, registry.queryUtility(ITranslationDirectories, default=[])).translate
        try:
            status, message = import_into(registry, args, translate)
        except FileError as exc:
            print(f"portal-import: {translate(exc.message)}", file=sys.stderr)
            return 2
    print(translate(message))
    return status


if __name__ == "__main__":
    sys.exit(main())
