"""The files of deploy/ and the commands of docs/deployment.md are real: systemd accepts the units, each
ExecStart and each `sohoa`/`sohoa-admin` command of the guide is a command of `sohoa` with options it has, each
SOHOA_* name is a setting, and the Prometheus rules name metrics that /metrics exports."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sohoa.cli.commands import COMMANDS
from sohoa.cli.main import app
from sohoa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
GUIDE = ROOT / "docs" / "deployment.md"
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SETTINGS = {f"SOHOA_{name.upper()}" for name in Settings.model_fields}
AWS = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}
METRICS = {"sohoa_pages", "sohoa_pages_per_minute", "sohoa_ingest_items", "sohoa_fixity_failures",
           "sohoa_audit_events", "sohoa_task_failures", "sohoa_broker_up", "sohoa_queue_depth",
           "sohoa_search_seconds", "sohoa_http_requests", "sohoa_http_request_seconds"}


def _exec_starts() -> dict[str, list[str]]:
    found = {}
    for unit in UNITS:
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("ExecStart="):
                found[unit.name] = shlex.split(line.removeprefix("ExecStart="))
    return found


def test_units_pass_systemd_analyze(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if IN_CI:
            pytest.fail("systemd-analyze is missing (package systemd)")
        pytest.skip("systemd-analyze is missing")
    programs = {"/opt/sohoa/venv/bin/sohoa": str(Path(sys.executable).with_name("sohoa")),
                "/opt/seaweedfs/venv/bin/weed": str(Path(sys.executable).with_name("weed"))}
    for unit in UNITS:  # the programs where this checkout has them; the settings file may be absent here
        body = unit.read_text(encoding="utf-8").replace("EnvironmentFile=/", "EnvironmentFile=-/")
        for installed, here in programs.items():
            body = body.replace(installed, here if Path(here).exists() else "/bin/true")
        (tmp_path / unit.name).write_text(body, encoding="utf-8")
    done = subprocess.run([analyze, "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                          capture_output=True, text=True, timeout=120)
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 0 and complaints == [], complaints
    bad = tmp_path / "bad.service"  # the check can fail: an unknown key is reported
    bad.write_text("[Service]\nExecStart=/bin/true\nProtectSystem=sometimes\n", encoding="utf-8")
    assert subprocess.run([analyze, "verify", str(bad)], capture_output=True, text=True).stderr.strip()


def test_exec_start_commands_are_sohoa_commands() -> None:
    starts = _exec_starts()
    assert {"sohoa-web.service", "sohoa-worker.service", "sohoa-beat.service", "sohoa-backup.service"} <= set(starts)
    used = {argv[1] for name, argv in starts.items() if argv[0].endswith("/sohoa")}
    assert used == {"serve", "worker", "beat", "backup"}
    assert used <= set(COMMANDS)
    for name in ("sohoa-web.service", "sohoa-worker.service", "sohoa-beat.service"):
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        for hardening in ("User=sohoa", "ProtectSystem=strict", "NoNewPrivileges=yes", "ProtectHome=yes",
                          "PrivateTmp=yes", "EnvironmentFile=/etc/sohoa/sohoa.env"):
            assert hardening in text, (name, hardening)


def test_env_file_names_only_real_settings() -> None:
    names = set()
    for line in (DEPLOY / "sohoa.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, sep, value = line.partition("=")
            assert sep and value and " " not in value and "'" not in value and '"' not in value, line
            names.add(name)
    assert names - AWS <= SETTINGS, sorted(names - AWS - SETTINGS)
    assert {"SOHOA_DATABASE_URL", "SOHOA_STORAGE_URL", "SOHOA_S3_ENDPOINT", "SOHOA_BROKER_URL", "SOHOA_SECRET_KEY",
            "SOHOA_FORWARDED_ALLOW_IPS", "SOHOA_COOKIE_SECURE", "SOHOA_LOG_FORMAT", "SOHOA_METRICS_ALLOW"} <= names
    mentioned = set()
    for path in (GUIDE, DEPLOY / "nginx" / "sohoa.conf", *UNITS):
        mentioned |= set(re.findall(r"\bSOHOA_[A-Z0-9_]+", path.read_text(encoding="utf-8")))
    assert mentioned - {"SOHOA_ENV_FILE"} <= SETTINGS, sorted(mentioned - SETTINGS)


def _guide_commands() -> list[list[str]]:
    """Every `sohoa …` / `sohoa-admin …` command line of the guide's code blocks and inline code."""
    text = GUIDE.read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        lines += block.replace("\\\n", " ").splitlines()
    lines += re.findall(r"`((?:sohoa|sohoa-admin) [^`]+)`", text)
    commands = []
    for line in lines:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split, lexer.commenters = True, "#"
        words: list[str] = []
        for token in [*lexer, ";"]:
            if token and set(token) <= set("&;|()<>"):
                if words and words[0] in ("sohoa", "sohoa-admin"):
                    commands.append(words[1:])
                words = []
            else:
                words.append(token)
    return commands


def _help(path: list[str]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200", "TERM": "dumb", "NO_COLOR": "1"},
                                prog_name="sohoa")
    assert result.exit_code == 0, (path, result.output)
    return result.output


def test_guide_commands_exist_with_their_options() -> None:
    commands = _guide_commands()
    assert len(commands) > 20
    for words in commands:
        if not words or words[0] not in COMMANDS:
            pytest.fail(f"not a sohoa command: sohoa {' '.join(words)}")
        path, text = [words[0]], _help([words[0]])
        rest = words[1:]
        while rest and not rest[0].startswith("-") and re.search(rf"^\W*{re.escape(rest[0])}\s", text, re.M) \
                and "Commands" in text:
            path.append(rest.pop(0))
            text = _help(path)
        for word in rest:
            if word.startswith("--"):
                assert word.split("=")[0] in text, (path, word)


def test_alert_rules_and_scrape_config_name_real_metrics() -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "sohoa-alerts.yml").read_text(encoding="utf-8"))
    expressions = [r["expr"] for group in rules["groups"] for r in group["rules"]]
    assert len(expressions) >= 6
    named = {re.sub(r"_(bucket|count|sum|total)$", "", m) for e in expressions for m in re.findall(r"\bsohoa_\w+", e)}
    assert named <= METRICS, named - METRICS
    scrape = yaml.safe_load((DEPLOY / "prometheus" / "sohoa.yml").read_text(encoding="utf-8"))
    assert scrape["scrape_configs"][0]["metrics_path"] == "/metrics"


def test_admin_script_is_valid_shell() -> None:
    script = DEPLOY / "sohoa-admin"
    assert os.access(script, os.X_OK)
    assert subprocess.run(["sh", "-n", str(script)], capture_output=True).returncode == 0
    assert "runuser -u sohoa -- /opt/sohoa/venv/bin/sohoa" in script.read_text(encoding="utf-8")


def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    """`nginx -t` (Debian 12's nginx 1.22) on deploy/nginx/sohoa.conf, with a throwaway certificate."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        if IN_CI:
            pytest.fail("nginx is missing (scripts/bootstrap.sh test installs nginx-light)")
        pytest.skip("nginx is missing")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=sohoa.test"],
                   check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "sohoa.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/ssl/sohoa/fullchain.pem", str(cert)).replace("/etc/ssl/sohoa/privkey.pem", str(key))
    (tmp_path / "sohoa.conf").write_text(site, encoding="utf-8")
    (tmp_path / "logs").mkdir()
    main = (f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\nevents {{}}\n"
            f"http {{\n access_log off;\n client_body_temp_path {tmp_path}/body;\n proxy_temp_path {tmp_path}/proxy;\n"
            f" include {tmp_path}/sohoa.conf;\n}}\n")
    (tmp_path / "nginx.conf").write_text(main, encoding="utf-8")
    done = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", f"{tmp_path}/"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "test is successful" in done.stderr, done.stderr
    assert "[warn]" not in done.stderr, done.stderr
    for location in ("location = /metrics", "location = /readyz", "proxy_set_header X-Request-ID",
                     "proxy_set_header X-Forwarded-For $remote_addr"):
        assert location in site
