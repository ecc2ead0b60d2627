"""Many nurses at once, as a property (issue 13): a hypothesis state machine drives interleaved
clients of two tenants against the running app — tus uploads with chunks, cut connections,
resumes, stale and racing PATCHes, terminations, and plain dictations with reused idempotency
keys — and checks after every step that no answer was a 5xx, each dictation holds exactly the
bytes its client sent (sha256 of the stored, sealed file), and no recording is lost or
duplicated. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from service.core.audio_files import read_audio
from service.core.store import Dictation
from tests.databases import database_url
from tests.uploads_app import auth, recording, upload_app

STREAM = {"Content-Type": "application/offset+octet-stream"}
TENANTS = ("a", "b")


@dataclass
class Client:
    tenant: str
    location: str
    data: bytes
    offset: int = 0
    done: bool = False
    terminated: bool = False
    dictation_id: str | None = None


@dataclass
class Keyed:
    tenant: str
    key: str
    data: bytes
    patient: str
    dictation_id: str


@dataclass
class World:
    url: str
    keys: dict
    app: object
    statuses: list[int] = field(default_factory=list)


class Interleavings(RuleBasedStateMachine):
    world: World
    uploads = Bundle("uploads")

    def __init__(self) -> None:
        super().__init__()
        self.run = uuid.uuid4().hex[:8]
        self.clients: list[Client] = []
        self.keyed: dict[tuple[str, str], Keyed] = {}

    # --- HTTP with every status recorded ---------------------------------------------

    def _call(self, method: str, url: str, tenant: str, **kwargs) -> httpx.Response:
        answer = httpx.request(method, url, headers=auth(self.world.keys[tenant],
                                                         **kwargs.pop("headers", {})),
                               timeout=30, **kwargs)
        self.world.statuses.append(answer.status_code)
        assert answer.status_code < 500, (method, url, answer.status_code, answer.text)
        return answer

    def _patch(self, client: Client, offset: int, body: bytes) -> httpx.Response:
        return self._call("PATCH", client.location, client.tenant, content=body,
                          headers={**STREAM, "Upload-Offset": str(offset)})

    def _absorb(self, client: Client, answer: httpx.Response, sent: int) -> None:
        """What a tus client does with the answer to its PATCH."""
        if answer.status_code == 204:
            client.offset = int(answer.headers["Upload-Offset"])
            assert client.offset == sent
        elif answer.status_code == 409:  # the server stands elsewhere: go on from there
            client.offset = int(answer.headers["Upload-Offset"])
        else:
            assert answer.status_code == 423, answer.status_code
        if client.offset == len(client.data):
            self._finished(client)

    def _finished(self, client: Client) -> None:
        upload = self._call("GET", client.location, client.tenant).json()
        assert upload["status"] == "complete", upload
        client.done, client.dictation_id = True, upload["dictation_id"]

    # --- rules ------------------------------------------------------------------------

    @rule(target=uploads, tenant=st.sampled_from(TENANTS), seed=st.integers(0, 10**6),
          tenths=st.integers(1, 4))
    def start_upload(self, tenant, seed, tenths):
        data = recording(seed, tenths / 10)
        created = self._call("POST", f"{self.world.url}/v1/uploads", tenant,
                             headers={"Upload-Length": str(len(data))})
        assert created.status_code == 201
        client = Client(tenant, self.world.url + created.headers["Location"], data)
        self.clients.append(client)
        return client

    @rule(client=uploads, size=st.integers(1, 9000))
    def send_chunk(self, client, size):
        if client.done or client.terminated:
            return
        end = min(len(client.data), client.offset + size)
        self._absorb(client, self._patch(client, client.offset, client.data[client.offset:end]),
                     end)

    @rule(client=uploads, size=st.integers(2, 9000), fraction=st.floats(0.1, 0.9))
    def cut_connection(self, client, size, fraction):
        """The phone loses its network halfway through a chunk; then asks where to resume."""
        if client.done or client.terminated:
            return
        body = client.data[client.offset:client.offset + size]
        where = urlparse(client.location)
        head = (f"PATCH {where.path} HTTP/1.1\r\nHost: {where.netloc}\r\n"
                f"Authorization: Bearer {self.world.keys[client.tenant]}\r\n"
                f"Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n"
                f"Upload-Offset: {client.offset}\r\nContent-Length: {len(body)}\r\n\r\n")
        with socket.create_connection((where.hostname, where.port)) as sock:
            sock.sendall(head.encode() + body[:max(1, int(len(body) * fraction))])
        self.resume(client)

    @rule(client=uploads)
    def resume(self, client):
        if client.terminated:
            return
        for _ in range(100):
            head = self._call("HEAD", client.location, client.tenant)
            if head.status_code != 423:
                break
            time.sleep(0.05)
        assert head.status_code == 200
        client.offset = int(head.headers["Upload-Offset"])
        if client.offset == len(client.data) and not client.done:
            self._finished(client)

    @rule(client=uploads)
    def racing_duplicate_chunks(self, client):
        """A client library retries a chunk while the first try is still on its way."""
        if client.done or client.terminated:
            return
        end = min(len(client.data), client.offset + 3000)
        body = client.data[client.offset:end]
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: self._patch(client, client.offset, body),
                                    range(2)))
        assert sum(a.status_code == 204 for a in answers) <= 1
        for answer in sorted(answers, key=lambda a: a.status_code != 204):
            self._absorb(client, answer, end)

    @rule(client=uploads)
    def stale_chunk(self, client):
        if client.terminated or client.offset == 0:
            return
        answer = self._patch(client, 0, client.data[:10])
        assert answer.status_code == 409
        assert int(answer.headers["Upload-Offset"]) == client.offset

    @rule(client=uploads)
    def terminate(self, client):
        if client.done or client.terminated:
            return
        assert self._call("DELETE", client.location, client.tenant).status_code == 204
        client.terminated = True
        assert self._call("HEAD", client.location, client.tenant).status_code == 404

    @rule(client=uploads)
    def other_tenant_probes(self, client):
        other = "b" if client.tenant == "a" else "a"
        assert self._call("HEAD", client.location, other).status_code == 404
        assert self._patch(Client(other, client.location, b""), client.offset, b"x"
                           ).status_code == 404

    @rule(tenant=st.sampled_from(TENANTS), key=st.sampled_from(["k1", "k2"]),
          seed=st.integers(0, 10**6), patient=st.sampled_from(["pas-1", "pas-2"]))
    def post_dictation(self, tenant, key, seed, patient):
        data = recording(seed, 0.1)
        key_id = f"{self.run}-{key}"
        answer = self._call("POST", f"{self.world.url}/v1/dictations", tenant,
                            headers={"Idempotency-Key": key_id},
                            files={"file": ("a.wav", data)}, data={"patient_ref": patient})
        earlier = self.keyed.get((tenant, key_id))
        if earlier is None:
            assert answer.status_code == 202
            self.keyed[(tenant, key_id)] = Keyed(tenant, key_id, data, patient,
                                                 answer.json()["id"])
        elif earlier.data == data and earlier.patient == patient:
            assert answer.status_code == 200 and answer.json()["id"] == earlier.dictation_id
        else:
            assert answer.status_code == 422

    # --- what must always hold ---------------------------------------------------------

    @invariant()
    def every_dictation_holds_its_own_bytes_once(self):
        store = self.world.app.state.dikta.store
        with store.session() as s:
            for client in self.clients:
                made = s.scalars(select(Dictation).where(
                    Dictation.idempotency_key == f"upload:{client.location.rsplit('/', 1)[1]}")
                ).all()
                assert len(made) == (1 if client.done else 0)
                if client.done:
                    self._holds(made[0], client.data, client.tenant, client.dictation_id)
            for keyed in self.keyed.values():
                count = s.scalar(select(func.count()).select_from(Dictation).where(
                    Dictation.idempotency_key == keyed.key,
                    Dictation.tenant_id == self._tenant_id(keyed.tenant)))
                assert count == 1
                self._holds(s.get(Dictation, keyed.dictation_id), keyed.data, keyed.tenant,
                            keyed.dictation_id)

    def _holds(self, row: Dictation, data: bytes, tenant: str, dictation_id: str) -> None:
        assert row.id == dictation_id and row.tenant_id == self._tenant_id(tenant)
        expected = hashlib.sha256(data).hexdigest()
        assert row.audio_sha256 == expected
        assert hashlib.sha256(read_audio(row.audio_path)).hexdigest() == expected

    def _tenant_id(self, tenant: str) -> str:
        name = {"a": "kommune-a", "b": "kommune-b"}[tenant]
        return self.world.app.state.dikta.store.tenant_by_name(name).id


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_interleaved_clients_never_lose_or_mix_recordings(kind, tmp_path):
    with database_url(kind) as url, upload_app(tmp_path, url) as (base, keys, app):
        world = World(base, keys, app)

        class Machine(Interleavings):
            pass

        Machine.world = world
        run_state_machine_as_test(Machine, settings=settings(
            max_examples=12, stateful_step_count=25, deadline=None, derandomize=True,
            suppress_health_check=list(HealthCheck)))
        # the machine really exercised the protocol's answers, not only the happy path
        assert {201, 204, 409, 404}.issubset(set(world.statuses)), set(world.statuses)
