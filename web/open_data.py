"""Open data (R19 d): ``/<slug>/datos`` and its files, always current from the record.

``/<slug>/datos`` lists every dataset with its CSV and JSON, row count and data dictionary
(field, type, description, example), the update date and the licence; the files are
``/<slug>/datos/<conjunto>.csv`` and ``.json`` and ``/<slug>/datos/datapackage.json``, the
Frictionless Data Package describing them (its resources are the CSV files next to it,
so a folder of downloads validates as the site does).

A file is generated on request in a fixed number of queries (``storage.services.
open_data``) and sent with an ``ETag`` (its SHA-256) and ``Last-Modified`` (the update
date): a client that asks again with ``If-None-Match`` gets ``304`` without the body.
Data files allow any origin to read them (``Access-Control-Allow-Origin: *``): they are
public, and web tools that reuse open data run in other sites' pages.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from email.utils import format_datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from domain import open_data as od
from storage.services import act_chain_public
from storage.services import open_data as service
from web.site import etag_matches, place_of, site_of

CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json"


def _file(
    request: Request,
    body: str,
    *,
    media_type: str,
    filename: str,
    updated: datetime | None,
    attachment: bool,
) -> Response:
    """A data file with its validators; ``304`` when the client already has these bytes."""
    data = body.encode("utf-8")
    etag = f'"{hashlib.sha256(data).hexdigest()[:32]}"'
    disposition = "attachment" if attachment else "inline"
    headers = {
        "ETag": etag,
        "Cache-Control": "no-cache",
        "Access-Control-Allow-Origin": "*",
        "Content-Disposition": f'{disposition}; filename="{filename}"',
    }
    if updated is not None:
        headers["Last-Modified"] = format_datetime(updated.astimezone(UTC), usegmt=True)
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media_type, headers=headers)


def _dataset(request: Request) -> od.Dataset:
    data = od.dataset(request.path_params["name"])
    if data is None:
        raise HTTPException(404)  # the Spanish 404 page
    return data


async def page(request: Request) -> Response:
    """``/<slug>/datos``: every dataset, its files, counts and dictionary; update, licence."""
    site = site_of(request)
    place = await place_of(request)
    async with site.db() as session:
        tables = await service.every_dataset(session, place.id, now=site.now())
        updated = await service.updated_at(session, place.id)
        head = await act_chain_public.head_of(session, place.id)
    licence = od.licence_of(place.licence)
    return site.render(
        request,
        "datos.html.j2",
        place=place,
        section="datos",
        datasets=[(data, len(tables[data.name])) for data in od.DATASETS],
        updated=place.local(updated) if updated else None,
        licence=licence,
        chain_head=head,
        chain_updated=place.local(head.updated_at) if head.updated_at else None,
    )


async def csv_file(request: Request) -> Response:
    """``/<slug>/datos/<conjunto>.csv``: UTF-8, header row, ISO 8601 dates (R19 d)."""
    data = _dataset(request)
    site = site_of(request)
    place = await place_of(request)
    async with site.db() as session:
        rows = await service.rows(session, place.id, data.name, now=site.now())
        updated = await service.updated_at(session, place.id)
    body = od.to_csv(data, rows, time_zone=place.time_zone)
    return _file(
        request,
        body,
        media_type=CSV_TYPE,
        filename=f"{place.slug}-{data.name}.csv",
        updated=updated,
        attachment=True,
    )


async def json_file(request: Request) -> Response:
    """``/<slug>/datos/<conjunto>.json``: the rows with the dataset's metadata."""
    data = _dataset(request)
    site = site_of(request)
    place = await place_of(request)
    async with site.db() as session:
        rows = await service.rows(session, place.id, data.name, now=site.now())
        updated = await service.updated_at(session, place.id)
    body = od.to_json(
        data,
        rows,
        time_zone=place.time_zone,
        secretariat=place.name,
        updated=updated,
        licence=od.licence_of(place.licence),
    )
    return _file(
        request,
        body,
        media_type=JSON_TYPE,
        filename=f"{place.slug}-{data.name}.json",
        updated=updated,
        attachment=False,
    )


async def package(request: Request) -> Response:
    """``/<slug>/datos/datapackage.json``: the Frictionless Data Package of every dataset."""
    site = site_of(request)
    place = await place_of(request)
    async with site.db() as session:
        updated = await service.updated_at(session, place.id)
        head = await act_chain_public.head_of(session, place.id)
    public_url = site.application.stm_settings.public_url
    descriptor = od.datapackage(
        slug=place.slug,
        secretariat=place.name,
        licence=od.licence_of(place.licence),
        updated=updated,
        time_zone=place.time_zone,
        homepage=f"{public_url}/{place.slug}/datos" if public_url else "",
        chain_head=head.published(),
    )
    body = json.dumps(descriptor, ensure_ascii=False, indent=2)
    return _file(
        request,
        body,
        media_type=JSON_TYPE,
        filename="datapackage.json",
        updated=updated,
        attachment=False,
    )


async def chain_entry(request: Request) -> Response:
    """``/<slug>/datos/cadena/<n>.json``: one entry of the hash chain, as ``/verificar``
    accepts it back (issue 15)."""
    site = site_of(request)
    place = await place_of(request)
    async with site.db() as session:
        entry = await act_chain_public.exported_entry(
            session, place.slug, request.path_params["position"]
        )
    if entry is None:
        raise HTTPException(404)
    return _file(
        request,
        json.dumps(entry, ensure_ascii=False, indent=2),
        media_type=JSON_TYPE,
        filename=f"{place.slug}-cadena-{entry['posicion']}.json",
        updated=None,
        attachment=False,
    )


ROUTES: list[BaseRoute] = [
    Route("/{slug}/datos", page),
    # Before ``{name}.json``: the package is not a dataset.
    Route("/{slug}/datos/datapackage.json", package),
    Route("/{slug}/datos/cadena/{position:int}.json", chain_entry),
    Route("/{slug}/datos/{name}.csv", csv_file),
    Route("/{slug}/datos/{name}.json", json_file),
]
