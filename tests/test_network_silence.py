"""Not one packet out: the real network system calls of `dikta serve`, watched with strace.

A real server runs under `strace -f` across start, a transcription, a dictation with its
structured note and an idle period; any connect/send to an address beyond loopback, and any
DNS query (port 53, even to a local resolver), fails the test. A socket guard in Python
cannot see this: onnxruntime's telemetry resolves its host from native code.

The idle period is `DIKTA_TEST_IDLE_S` seconds (default 45: the whole test stays near a
minute; onnxruntime 1.32 sent its first lookups within seconds of loading the VAD, then
every few seconds). Set it to 60 or more for the issue's "a minute of idle".
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import signal
import subprocess
import time

import httpx
import pytest

from evaluation.loopback import free_port
from pipelines.offline import OFFLINE_ENV
from tests.conftest import DIKTA, FIXTURES

pytestmark = pytest.mark.slow
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
    assert outbound("\n".join([dns, query, https, local_dns])) == [dns, query, https, local_dns]
    assert outbound("\n".join([loopback, loopback6, unix])) == []


def _strace() -> list[str]:
    strace = shutil.which("strace")
    if strace is None:
        pytest.fail("strace is not installed: it is needed to watch the server's network "
                    "system calls (`make setup` installs it; or apt-get install strace)")
    probe = subprocess.run([strace, "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect",
                            "-o", os.devnull, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.fail(f"strace cannot trace here (ptrace not permitted?): {probe.stderr.strip()}")
    return [strace, "-f", "-qq", "--seccomp-bpf", "-s", "64",
            "-e", "trace=bind,connect,sendto,sendmsg,sendmmsg"]


def test_dikta_serve_sends_no_packet_beyond_loopback(cli_env, tmp_path):
    strace = _strace()
    env = {name: value for name, value in cli_env.items()
           if name not in OFFLINE_ENV and name not in _SELF_SILENCING}
    env["DIKTA_DATA_DIR"] = str(tmp_path)
    key = subprocess.run([DIKTA, "keys", "create", "--tenant", "Stille", "--scope", "dictate",
                          "--scope", "read_notes"], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    trace = tmp_path / "strace.txt"
    port = free_port()
    server = subprocess.Popen([*strace, "-o", str(trace), DIKTA, "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url, server)
        headers = {"Authorization": f"Bearer {key}"}
        audio = (FIXTURES / "nb_feber.wav").read_bytes()
        spoken = httpx.post(f"{url}/v1/audio/transcriptions", headers=headers,
                            files={"file": ("x.wav", audio, "audio/wav")},
                            data={"response_format": "text"}, timeout=120)
        assert spoken.status_code == 200 and "feber" in spoken.text.lower()
        created = httpx.post(f"{url}/v1/dictations", headers=headers,
                             data={"patient_ref": "pas-stille"},
                             files={"file": ("d.wav", audio, "audio/wav")}, timeout=60)
        assert created.status_code == 202, created.text
        dictation = _wait_done(f"{url}/v1/dictations/{created.json()['id']}", headers)
        assert dictation["note"]["sentences"][0]["section"], dictation["note"]  # structured
        time.sleep(IDLE_S)  # idle: telemetry and update checks come on timers
        assert server.poll() is None, "the server died while idle"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.communicate()
    calls = trace.read_text(errors="replace")
    # The trace followed the right process: it saw the server bind its own port.
    assert re.search(rf"bind\(.*htons\({port}\)", calls), "strace did not see the server's bind"
    leaks = outbound(calls)
    assert not leaks, "network calls beyond loopback or DNS lookups:\n" + "\n".join(leaks[:20])


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
