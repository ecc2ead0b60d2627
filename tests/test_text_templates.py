"""Paste-ready text: the shipped templates against expected files, the sandbox, template
validation, per-tenant templates through the admin API and the CLI, and the text route."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from service.core.store import Dictation, NoteVersion
from structuring.export import to_text
from structuring.note import StructuredNote
from structuring.text_templates import (
    SHIPPED,
    TextMeta,
    TextTemplateError,
    render_text,
    shipped_source,
    validate_template,
)
from tests.uploads_app import auth, recording, upload_app

DATA = Path(__file__).parent / "data" / "templates"
NOTES = ("note_funksjonsomrader", "note_isbar_nn")
META = TextMeta("d1", "pas-778", "Kari Nordmann", datetime(2026, 3, 4, 13, 45, tzinfo=UTC),
                True)


def note(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("template", SHIPPED)
@pytest.mark.parametrize("name", NOTES)
def test_shipped_templates_render_the_expected_text(name, template):
    expected = (DATA / f"{name}.{template}.txt").read_text(encoding="utf-8")
    assert render_text(note(name), shipped_source(template), META) == expected


def test_plain_is_the_plain_export():
    for name in NOTES:
        assert render_text(note(name), shipped_source("plain")) == \
            to_text(StructuredNote.from_dict(note(name)))


@pytest.mark.parametrize("name", NOTES)
def test_no_sentence_is_lost_by_any_shipped_template(name):
    sentences = [s["text"] for s in note(name)["sentences"]]
    for template in SHIPPED:
        text = render_text(note(name), shipped_source(template), META)
        assert all(s in text for s in sentences), template


@pytest.mark.parametrize("source, line", [
    ("{{ note.sections }", "line 1"),
    ("ok\n{% for s in note.sections %}\n{{ s.title }}", "line 3"),
    ("{{ note.nothing_here }}", "nothing_here"),
    ("{{ section.rad.text.upper() }}\n{{ meta.date.strftime('%Y') }}", "render"),
])
def test_broken_templates_are_refused_naming_the_fault(source, line):
    with pytest.raises(TextTemplateError, match=line):
        validate_template(source)


@pytest.mark.parametrize("source", [
    "{{ note.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ note.sections.__class__.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{% set x = note.sections.append(1) %}",
    "{{ note.events.pop() }}",
    "{{ lipsum() }}{{ cycler }}",
    "{{ self._TemplateReference__context }}",
])
def test_templates_cannot_reach_internals(source):
    with pytest.raises(TextTemplateError):
        validate_template(source)


def test_output_is_tidied():
    text = render_text(note(NOTES[0]), "a   \n\n\n\n\nb\n\n\n")
    assert text == "a\n\nb\n"


# --- over HTTP: the text route and the admin API ------------------------------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with upload_app(tmp_path_factory.mktemp("texts")) as running:
        _, keys, dikta = running
        store = dikta.state.dikta.store
        keys["admin"] = store.create_key("kommune-a", "admin")
        keys["b_admin"] = store.create_key("kommune-b", "admin")
        yield running


def _transcribed(app, key: str, name: str, approve: bool = False) -> str:
    url, keys, dikta = app
    created = httpx.post(f"{url}/v1/dictations", headers=auth(keys[key]),
                         files={"file": ("a.wav", recording(len(name) * 31 + approve))},
                         data={"patient_ref": "pas-778"})
    dictation_id = created.json()["id"]
    with dikta.state.dikta.store.session() as s, s.begin():
        row = s.get(Dictation, dictation_id)
        row.status, row.note = "done", note(name)
        s.add(NoteVersion(dictation_id=dictation_id, version=1, kind="asr_draft", text="x",
                          note=note(name)))
        if approve:
            row.approved_at = META.date
            s.add(NoteVersion(dictation_id=dictation_id, version=2, kind="approved",
                              text="x", note=note(name), author="Kari Nordmann"))
    return dictation_id


def _text(app, key: str, dictation_id: str, **params) -> httpx.Response:
    url, keys, _ = app
    return httpx.get(f"{url}/v1/dictations/{dictation_id}/text", headers=auth(keys[key]),
                     params=params)


@pytest.mark.parametrize("template", SHIPPED)
def test_text_route_renders_the_approved_note(app, template):
    dictation_id = _transcribed(app, "a", NOTES[0], approve=True)
    response = _text(app, "a", dictation_id, template=template)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    expected = (DATA / f"{NOTES[0]}.{template}.txt").read_text(encoding="utf-8")
    assert response.text == expected


def test_text_route_refusals(app):
    dictation_id = _transcribed(app, "a", NOTES[0])
    assert _text(app, "a", dictation_id).status_code == 200  # plain by default
    assert _text(app, "b", dictation_id).status_code == 404  # another tenant's
    assert _text(app, "a_dictate", dictation_id).status_code == 403  # no read_notes
    missing = _text(app, "a", dictation_id, template="nosuch")
    assert missing.status_code == 404 and "'template'" in missing.json()["detail"]
    assert _text(app, "a", dictation_id, template="../etc").status_code == 422


def test_tenant_template_registered_by_admin_and_used_by_its_tenant_only(app):
    url, keys, _ = app
    source = "EPJ-notat {{ meta.patient_ref }}\n{% for s in note.sections %}" \
             "## {{ s.title | upper }}\n{{ s.text }}\n{% endfor %}"
    put = httpx.put(f"{url}/v1/text-templates/gerica", headers=auth(keys["admin"]),
                    json={"source": source})
    assert put.status_code == 201, put.text
    again = httpx.put(f"{url}/v1/text-templates/gerica", headers=auth(keys["admin"]),
                      json={"source": source + "\n-- slutt"})
    assert again.status_code == 200
    dictation_id = _transcribed(app, "a", NOTES[0])
    text = _text(app, "a", dictation_id, template="gerica").text
    assert text.startswith("EPJ-notat pas-778\n## RESPIRASJON/SIRKULASJON\n")
    assert text.endswith("-- slutt\n")
    names = {t["name"]: t["origin"] for t in httpx.get(
        f"{url}/v1/text-templates", headers=auth(keys["a"])).json()}
    assert names == {"plain": "shipped", "isbar": "shipped", "funksjonsomrader": "shipped",
                     "gerica": "tenant"}
    other = _transcribed(app, "b", NOTES[0])
    assert _text(app, "b", other, template="gerica").status_code == 404
    assert httpx.delete(f"{url}/v1/text-templates/gerica",
                        headers=auth(keys["b_admin"])).status_code == 404
    assert httpx.delete(f"{url}/v1/text-templates/gerica",
                        headers=auth(keys["admin"])).status_code == 204
    assert _text(app, "a", dictation_id, template="gerica").status_code == 404


@pytest.mark.parametrize("name, source, field", [
    ("bad", "{{ note.__class__ }}", "source"),
    ("bad", "{% if %}", "source"),
    ("Bad Name", "x", "name"),
])
def test_invalid_uploads_are_refused_naming_the_field(app, name, source, field):
    url, keys, _ = app
    response = httpx.put(f"{url}/v1/text-templates/{name}", headers=auth(keys["admin"]),
                         json={"source": source})
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(f"'{field}'")


def test_only_admins_register_templates(app):
    url, keys, _ = app
    response = httpx.put(f"{url}/v1/text-templates/x", headers=auth(keys["a"]),
                         json={"source": "x"})
    assert response.status_code == 403


def test_cli_registers_a_template(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from service.cli import main as cli
    from service.core.settings import get_settings
    from service.core.store import open_store
    from service.feed.templates import list_templates

    monkeypatch.setenv("DIKTA_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        store = open_store(get_settings())
        store.create_key("kommune-c", "admin")
        good, bad = tmp_path / "good.j2", tmp_path / "bad.j2"
        good.write_text("{{ note.language }}\n")
        bad.write_text("{{ note.__class__ }}")
        runner = CliRunner()
        ok = runner.invoke(cli, ["tenants", "set-text-template", "kommune-c", "kort",
                                 str(good)])
        assert ok.exit_code == 0, ok.output
        refused = runner.invoke(cli, ["tenants", "set-text-template", "kommune-c", "kort",
                                      str(bad)])
        assert refused.exit_code != 0 and "'source'" in refused.output
        tenant = store.tenant_by_name("kommune-c")
        assert [t.name for t in list_templates(store, tenant.id) if t.origin == "tenant"] \
            == ["kort"]
        store.engine.dispose()
    finally:
        get_settings.cache_clear()
