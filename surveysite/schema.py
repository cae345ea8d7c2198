"""The JSON Schema of paper front matter, published at schema/paper.json and enforced by `check`.

Generated from the declared fields (surveysite.fields) and the survey's technique and benchmark ids, so
editors get completion and early errors, and `check` proves the published schema agrees with
what the build accepts.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from surveysite import urls
from surveysite.errors import SourceError
from surveysite.fields import PAPER_FIELDS, REQUIRED, TRANSLATABLE
from surveysite.load import RawContent
from surveysite.model import Site
from surveysite.output import OutputFile
from surveysite.validate import ARXIV, DOI, LINK_KINDS, ROLES, SLUG

_TEXT = {"type": "string", "minLength": 1}
_COUNT = {
    "description": "A count such as 1.1B, 460M or 3T, or a whole number",
    "anyOf": [
        {"type": "string", "pattern": r"^\d+(\.\d+)?[KMBT]?$"},
        {"type": "integer", "minimum": 1, "maximum": 10**16},
    ],
}
_SCALAR = {"anyOf": [_TEXT, {"type": "integer"}]}
_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def kinds(site: Site) -> dict[str, dict[str, Any]]:
    """The JSON Schema of each kind of field in surveysite.fields, with this survey's ids."""
    techniques = sorted(site.techniques)
    benchmarks = sorted(b.id for b in site.benchmarks)
    year = {"type": "integer", "minimum": 1900, "maximum": 2100}
    languages = site.config.languages
    change = {
        "type": "object",
        "required": [languages[0]],
        "additionalProperties": False,
        "properties": dict.fromkeys(languages, _TEXT),
    }
    return {
        "text": _TEXT,
        "texts": {"type": "array", "minItems": 1, "items": _TEXT},
        "year": year,
        "scalar": _SCALAR,
        "date": _DATE,
        "month": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"},
        "arxiv": {"type": "string", "pattern": f"^(?:{ARXIV.pattern})$"},
        "doi": {"type": "string", "pattern": f"^(?:https://doi.org/|doi:)?{DOI.pattern}$"},
        "links": {
            "type": "object",
            "additionalProperties": False,
            "properties": {kind: {"type": "string", "pattern": "^https?://"} for kind in LINK_KINDS},
        },
        "techniques": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": techniques}},
        # Slugs by pattern, not by enum: the published schema must not change with every new paper.
        "slugs": {"type": "array", "uniqueItems": True, "items": {"type": "string", "pattern": f"^{SLUG.pattern}$"}},
        "history": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["date", "change"],
                "additionalProperties": False,
                "properties": {"date": _DATE, "change": {"anyOf": [_TEXT, change]}},
            },
        },
        "models": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "role"],
                "additionalProperties": False,
                "properties": {"name": _TEXT, "params": _COUNT, "tokens": _COUNT, "role": {"enum": list(ROLES)}},
            },
        },
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["model", "benchmark", "setting", "score", "source"],
                "additionalProperties": False,
                "properties": {
                    "model": _TEXT,
                    "benchmark": {"enum": benchmarks},
                    "setting": _TEXT,
                    "score": {"type": "number"},
                    "source": _TEXT,
                    "note": _TEXT,
                },
            },
        },
    }


def paper_schema(site: Site) -> dict[str, Any]:
    schemas = kinds(site)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": site.config.site_url + urls.SCHEMA,
        "title": "Paper front matter",
        "description": "The YAML front matter of content/papers/<slug>.md (translations: paper.translation.json).",
        "type": "object",
        "required": list(REQUIRED),
        "additionalProperties": False,
        "properties": {f.name: {**schemas[f.kind], "description": f.doc} for f in PAPER_FIELDS},
    }


def translation_schema(site: Site) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": site.config.site_url + urls.TRANSLATION_SCHEMA,
        "title": "Paper translation front matter",
        "description": "The YAML front matter of content/papers/<slug>.<lang>.md: only the translatable texts.",
        "type": "object",
        "additionalProperties": False,
        "properties": dict.fromkeys(TRANSLATABLE, _TEXT),
    }


def schema_files(site: Site) -> list[OutputFile]:
    return [
        OutputFile(path, (json.dumps(schema, ensure_ascii=False, indent=1) + "\n").encode())
        for path, schema in ((urls.SCHEMA, paper_schema(site)), (urls.TRANSLATION_SCHEMA, translation_schema(site)))
    ]


def _as_json(value: Any) -> Any:
    """YAML gives dates as date objects; the schema, like JSON, sees their ISO text."""
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def schema_errors(raw: RawContent, site: Site) -> list[SourceError]:
    """Every paper file checked against the published schemas, with file:line:column."""
    from jsonschema import Draft202012Validator  # only `check` needs it: builds skip the import

    validators = {
        None: Draft202012Validator(paper_schema(site), format_checker=Draft202012Validator.FORMAT_CHECKER),
        "translation": Draft202012Validator(translation_schema(site)),
    }
    errors = []
    for file in raw.papers:
        doc = file.doc
        if doc.data is None:
            continue
        validator = validators[None if file.lang is None else "translation"]
        for error in sorted(validator.iter_errors(_as_json(doc.data)), key=lambda e: list(map(str, e.absolute_path))):
            key = tuple(error.absolute_path)
            line, column = doc.values.get(key, doc.keys.get(key, (1, 1)))
            where = "/".join(map(str, key)) or "front matter"
            name = urls.SCHEMA if file.lang is None else urls.TRANSLATION_SCHEMA
            errors.append(SourceError(doc.path, line, column, f"{name}: {where}: {error.message}"))
    return errors
