"""Only to configured endpoints: the real network system calls of `dikta serve`, watched
with strace.

A real server, configured with one delivery target on loopback (a JFT stand-in and its token
endpoint, served by this test), runs under `strace -f` across start, a transcription, an
alarm, a dictation linked to it with its structured note, approval and delivery, and an idle
period. The server must connect to exactly the configured endpoints — it does connect there,
and nowhere else; any connect/send to an address beyond loopback, and any DNS query (port 53,
even to a local resolver), fails the test. A socket guard in Python cannot see this:
onnxruntime's telemetry resolves its host from native code.

The idle period is `DIKTA_TEST_IDLE_S` seconds (default 45: the whole test stays near a
minute; onnxruntime 1.32 sent its first lookups within seconds of loading the VAD, then
every few seconds). Set it to 60 or more for the issue's "a minute of idle".
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import time
from urllib.parse import urlsplit

import httpx
import pytest

from evaluation.loopback import free_port
from pipelines.offline import OFFLINE_ENV
from tests.conftest import DIKTA, FIXTURES
from tests.helseid_standin import helseid
from tests.standins import Answer

pytestmark = pytest.mark.slow
CLIENT_ID = "dikta-stille"
IDLE_S = float(os.environ.get("DIKTA_TEST_IDLE_S", "45"))
# Variables under which libraries silence themselves (onnxruntime stops its telemetry when it
# sees a CI system). The server must not depend on them: they are removed from its
# environment, together with Dikta's own switches, so `dikta serve` has to set those itself.
_SELF_SILENCING = ("CI", "GITHUB_ACTIONS", "TF_BUILD", "GITLAB_CI", "JENKINS_URL",
                   "TEAMCITY_VERSION", "BUILDKITE", "CIRCLECI", "TRAVIS", "BUILD_ID",
                   "ORT_RUNNING_UNIT_TESTS")
_SOCKADDR = re.compile(r"sa_family=(AF_INET6?),\s*sin6?_port=htons\((\d+)\),\s*"
                       r"(?:sin6_flowinfo=[^,]+,\s*)?"
                       r"(?:sin_addr=inet_addr\(\"([^\"]+)\"\)|"
                       r"inet_pton\(AF_INET6,\s*\"([^\"]+)\"(?:,\s*&sin6_addr)?\))")


def outbound(trace: str) -> list[str]:
    """The traced calls that reach beyond loopback or ask a DNS server anything."""
    found = []
    for line in trace.splitlines():
        if not re.search(r"\b(connect|sendto|sendmsg|sendmmsg)\(", line):
            continue
        for family, port, ipv4, ipv6 in _SOCKADDR.findall(line):
            address = ipaddress.ip_address(ipv4 or ipv6)
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            if int(port) == 53 or not address.is_loopback:
                found.append(line.strip())
        if re.search(r"\b(sendto|sendmsg|sendmmsg)\(", line) and _dns_payload(line):
            found.append(line.strip())  # a query on a socket connected earlier
    return found


def connected(trace: str) -> set[tuple[str, int]]:
    """(address, port) of every IP connect() in the trace (successful or in progress)."""
    found = set()
    for line in trace.splitlines():
        if not re.search(r"\bconnect\(", line):
            continue
        for _family, port, ipv4, ipv6 in _SOCKADDR.findall(line):
            address = ipaddress.ip_address(ipv4 or ipv6)
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            found.add((str(address), int(port)))
    return found


def _dns_payload(line: str) -> bool:
    # strace shows the first bytes of the datagram: a DNS query names its host in labels,
    # e.g. "\6mobile\6events\4data\tmicrosoft\3com". Flags 0x0100 (RD) follow the id.
    return bool(re.search(r'"(?:\\\d{1,3}|\\.|[^\\]){2}\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0', line))


def test_outbound_detector_sees_what_matters():
    dns = ('9578  connect(8, {sa_family=AF_INET, sin_port=htons(53), '
           'sin_addr=inet_addr("10.255.255.53")}, 16) = 0')
    query = ('9578  sendto(8, "\\244\\241\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0\\6mobile\\6events"..., 50, '
             'MSG_NOSIGNAL, NULL, 0) = 50')
    https = ('77 connect(9, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
             'inet_pton(AF_INET6, "2603:1030::1", &sin6_addr), sin6_scope_id=0}, 28)')
    local_dns = ('77 sendmmsg(3, [{msg_hdr={msg_name={sa_family=AF_INET, sin_port=htons(53), '
                 'sin_addr=inet_addr("127.0.0.53")}, msg_namelen=16}}], 2, MSG_NOSIGNAL) = 2')
    loopback = ('77 connect(5, {sa_family=AF_INET, sin_port=htons(8000), '
                'sin_addr=inet_addr("127.0.0.1")}, 16) = 0')
    loopback6 = ('77 connect(5, {sa_family=AF_INET6, sin6_port=htons(80), '
                 'sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), '
                 'sin6_scope_id=0}, 28) = 0')
    unix = '77 connect(4, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1'
    assert outbound(f"{dns}\n{query}\n{https}\n{local_dns}") == [dns, query, https, local_dns]
    assert outbound(f"{loopback}\n{loopback6}\n{unix}") == []
    assert connected(f"{dns}\n{https}\n{loopback}\n{loopback6}\n{unix}") == {
        ("10.255.255.53", 53), ("2603:1030::1", 443), ("127.0.0.1", 8000), ("::1", 80)}


def _strace() -> list[str]:
    strace = shutil.which("strace")
    if strace is None:
        pytest.fail("strace is not installed: it is needed to watch the server's network "
                    "system calls (`make setup` installs it; or apt-get install strace)")
    probe = subprocess.run([strace, "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect",
                            "-o", os.devnull, "true"], capture_output=True, text=True,
                           check=False)
    if probe.returncode != 0:
        pytest.fail(f"strace cannot trace here (ptrace not permitted?): {probe.stderr.strip()}")
    return [strace, "-f", "-qq", "--seccomp-bpf", "-s", "64",
            "-e", "trace=bind,connect,sendto,sendmsg,sendmmsg"]


FALL = ("Fallsensoren varslet klokka 02.14. Bruker hadde falt på badet. Hjemmebesøk, "
        "hjalp henne opp.")


def _accepted(_request) -> Answer:
    return Answer(202, headers={"Location": "/v1/Status/1"})


def test_dikta_serve_connects_only_to_its_configured_target(cli_env, tmp_path):
    strace = _strace()
    env = {name: value for name, value in cli_env.items()
           if name not in OFFLINE_ENV and name not in _SELF_SILENCING}
    env["DIKTA_DATA_DIR"] = str(tmp_path)
    key = subprocess.run([DIKTA, "keys", "create", "--tenant", "Stille", "--scope", "dictate",
                          "--scope", "read_notes", "--scope", "approve", "--scope", "ingest"],
                         env=env, capture_output=True, text=True, check=True).stdout.strip()
    # The delivery target on loopback: both ports are known only once the stand-ins run,
    # and the client key is made (and registered there) before the server starts.
    with helseid(CLIENT_ID, {}, "nhn:jft/api", _accepted) as (idp, jft_url, received):
        env["DIKTA_DELIVERIES__TARGETS"] = json.dumps([{
            "name": "jft", "kind": "jft", "base_url": jft_url, "tenant": "Stille",
            "token_endpoint": idp.token_url, "client_id": CLIENT_ID, "scope": "nhn:jft/api"}])
        env["DIKTA_DELIVERIES__RETRY_BACKOFF_S"] = "0.5"
        env["DIKTA_DELIVERIES__POLL_INTERVAL_S"] = "0.5"
        made = subprocess.run([DIKTA, "deliveries", "keygen", "--target", "jft"], env=env,
                              capture_output=True, text=True, check=True)
        idp.public_jwk = json.loads(made.stdout)
        trace = tmp_path / "strace.txt"
        port = free_port()
        server = subprocess.Popen([*strace, "-o", str(trace), DIKTA, "serve", "--port",
                                   str(port)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, server)
            headers = {"Authorization": f"Bearer {key}"}
            audio = (FIXTURES / "nb_feber.wav").read_bytes()
            spoken = httpx.post(f"{url}/v1/audio/transcriptions", headers=headers,
                                files={"file": ("x.wav", audio, "audio/wav")},
                                data={"response_format": "text"}, timeout=120)
            assert spoken.status_code == 200 and "feber" in spoken.text.lower()
            alarm = httpx.post(f"{url}/v1/alarms", headers=headers, json={
                "source": "responssenter", "source_id": "stille-1", "vkp_code": "4.1",
                "occurred_at": "2026-03-01T02:14:00+01:00", "patient_ref": "pas-stille"})
            assert alarm.status_code == 201, alarm.text
            created = httpx.post(f"{url}/v1/dictations", headers=headers,
                                 data={"patient_ref": "pas-stille",
                                       "recorded_at": "2026-03-01T02:40:00+01:00",
                                       "alarm_ids": alarm.json()["items"][0]["id"]},
                                 files={"file": ("d.wav", audio, "audio/wav")}, timeout=60)
            assert created.status_code == 202, created.text
            dictation_url = f"{url}/v1/dictations/{created.json()['id']}"
            dictation = _wait_done(dictation_url, headers)
            assert dictation["note"]["sentences"][0]["section"], dictation["note"]
            edited = httpx.put(f"{dictation_url}/note", headers=headers, json={"text": FALL})
            assert edited.status_code == 200, edited.text
            approved = httpx.post(f"{dictation_url}/approve", headers=headers, json={})
            assert approved.status_code == 200, approved.text
            _wait_delivered(dictation_url, headers)
            time.sleep(IDLE_S)  # idle: telemetry and update checks come on timers
            assert server.poll() is None, "the server died while idle"
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.communicate()
        assert any(r.path == "/v1/Bundle" for r in received)
    calls = trace.read_text(errors="replace")
    # The trace followed the right process: it saw the server bind its own port.
    assert re.search(rf"bind\(.*htons\({port}\)", calls), "strace did not see the server's bind"
    leaks = outbound(calls)
    assert not leaks, "network calls beyond loopback or DNS lookups:\n" + "\n".join(leaks[:20])
    configured = {_address(idp.token_url), _address(jft_url)}
    assert connected(calls) == configured, (
        f"the server connected to {sorted(connected(calls))}, configured: {sorted(configured)}")


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname, parts.port


def _wait_delivered(url: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 60
    while True:
        deliveries = httpx.get(url, headers=headers).json()["deliveries"]
        if deliveries and deliveries[0]["state"] in ("delivered", "dead"):
            assert deliveries[0]["state"] == "delivered", deliveries
            return
        assert time.monotonic() < deadline, f"not delivered: {deliveries}"
        time.sleep(0.3)


def _wait_ready(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            pytest.fail("dikta serve exited: " + server.stderr.read().decode()[-2000:])
        assert time.monotonic() < deadline, "dikta serve did not become ready"
        time.sleep(0.3)


def _wait_done(url: str, headers: dict[str, str]) -> dict:
    deadline = time.monotonic() + 120
    while True:
        body = httpx.get(url, headers=headers).json()
        if body["status"] in ("done", "failed", "dead"):
            assert body["status"] == "done", body
            return body
        assert time.monotonic() < deadline, "the dictation did not finish"
        time.sleep(0.3)
