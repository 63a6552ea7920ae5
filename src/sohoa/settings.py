"""One typed settings object, read from the environment (``SOHOA_*``) and validated at start-up."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_LENGTH = 32  # characters of SOHOA_SECRET_KEY; the generated key has 64


# The kinds of personal data (sohoa.domain.personal.PersonalKind) and the access levels (domain.codes.AccessLevel)
# SOHOA_PERSONAL_MASK may name; tests/core/test_personal_policy.py checks they are the domain's.
PERSONAL_KINDS = ("cccd", "cmnd", "dob", "phone", "email", "address", "bank_account", "plate", "parcel", "name")
ACCESS_LEVELS = ("public", "conditional", "internal", "secret")


def parse_personal_mask(spec: str) -> dict[str, frozenset[str]]:
    """SOHOA_PERSONAL_MASK as access level → the kinds masked outside the staff: 'public=cccd,name;internal=*'.
    Every level not named masks every kind; ValueError (in both languages) for an unknown level or kind."""
    policy = {level: frozenset(PERSONAL_KINDS) for level in ACCESS_LEVELS}
    for part in (p.strip() for p in spec.split(";")):
        if not part:
            continue
        level, sep, kinds = (x.strip() for x in part.partition("="))
        if not sep or level not in ACCESS_LEVELS:
            levels = ", ".join(ACCESS_LEVELS)
            raise ValueError(f"SOHOA_PERSONAL_MASK: '{part}' không phải 'mức=loại,loại' (mức: {levels}) "
                             f"/ is not 'level=kind,kind' (levels: {levels})")
        names = {k.strip() for k in kinds.split(",") if k.strip()}
        unknown = sorted(names - set(PERSONAL_KINDS) - {"*"})
        if unknown:
            raise ValueError(f"SOHOA_PERSONAL_MASK: loại dữ liệu không có / unknown kinds: {', '.join(unknown)} "
                             f"(kinds: {', '.join(PERSONAL_KINDS)}, *)")
        policy[level] = frozenset(PERSONAL_KINDS) if "*" in names else frozenset(names)
    return policy


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Every knob Sohoa has. Each field is documented in ``docs/configuration.md``."""

    model_config = SettingsConfigDict(env_prefix="SOHOA_", env_file=None, frozen=True)

    data: Path = Field(default=Path("./data"), description="Data directory: database, objects, index.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is SQLite in the data directory."
    )
    workers: int = Field(default_factory=_default_workers, ge=1, description="Worker processes for OCR.")
    ocr_languages: str = Field(default="vie", description="Tesseract language(s), e.g. 'vie'.")
    tessdata: Path | None = Field(default=None, description="Tesseract tessdata folder (auto-detected).")
    tesseract_variables: str = Field(
        default="textord_disable_pitch_test=1",
        description="Tesseract parameters for every OCR engine, 'name=value' separated by commas ('' for none).",
    )
    use_running_pool: bool = Field(
        default=True,
        description="`sohoa ingest` hands its pages to the warm pool of a running `sohoa serve` on the same data "
        "directory (false: always start a pool of its own).",
    )
    use_running_server: bool = Field(
        default=True,
        description="`sohoa status`, `sohoa search` and `sohoa ingest` are run by a running `sohoa serve` on the "
        "same data directory and settings (false: always in their own process). Read by the `sohoa` launcher itself.",
    )
    cli_resident: bool = Field(
        default=True,
        description="When nobody answers a `sohoa status` or `sohoa search` on the control socket, the `sohoa` "
        "launcher also starts a resident CLI helper for the data directory, which answers the next ones (false: none "
        "is started or asked). Read by the `sohoa` launcher itself.",
    )
    cli_resident_idle_seconds: float = Field(
        default=600, gt=0, description="The resident CLI helper exits after this many seconds without a command."
    )
    hot_folder_interval: float = Field(
        default=0.25, ge=0.05, le=3600, description="Seconds between two looks at the hot folders of `sohoa serve`."
    )
    hot_folder_settle_seconds: float = Field(
        default=0.5, ge=0, le=3600,
        description="A hot-folder file is taken once it has not changed for this many seconds (still being written "
        "before that).",
    )
    max_image_pixels: int = Field(
        default=200_000_000, ge=1_000_000, description="Largest image accepted (decompression-bomb guard)."
    )
    max_upload_bytes: int = Field(default=2 * 1024**3, description="Largest single upload accepted.")
    pdf_render_dpi: int = Field(default=300, ge=72, le=600, description="DPI for rasterizing scanned PDFs.")
    min_text_chars_per_page: int = Field(
        default=80, ge=0,
        description="A PDF page with at least this many text characters skips OCR (its text layer is used); "
        "a page that draws no image at all needs only some text."
    )
    secret_key: str | None = Field(
        default=None, description="Key for sessions and signatures; generated into the data dir if unset."
    )
    host: str = Field(default="127.0.0.1", description="Address `sohoa serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `sohoa serve` listens on.")
    forwarded_allow_ips: str = Field(
        default="",
        description="Reverse proxies trusted to name the client in X-Forwarded-For (comma-separated addresses; "
        "'' trusts none).",
    )
    signing_cert: Path | None = Field(
        default=None, description="PEM certificate for signing certified copies; a development one if unset."
    )
    signing_key: Path | None = Field(default=None, description="PEM private key matching `signing_cert`.")
    signing_key_password: str | None = Field(default=None, description="Password of `signing_key`, if any.")
    signature_trust_roots: str = Field(
        default="",
        description="PEM files (comma-separated paths) of the CA certificates that signatures on ingested PDFs are "
        "checked against ('' checks no trust: intact or not is still reported; revocation is never fetched).",
    )
    time_zone: str = Field(
        default="Asia/Ho_Chi_Minh",
        description="Time zone (IANA name) of the times the staff app and the portal show (a staff user may choose "
        "their own on the account page) and of the audit export's ISO 8601 offsets (+07:00 by default).",
    )
    qc_default_rate: float = Field(
        default=0.0, ge=0, le=1,
        description="Share (0–1) of reviewed documents the default QC plan samples when no active sampling plan "
        "applies to them (0: accepted without inspection). The QC page and the dashboard say when no plan is on.",
    )
    copy_agency: str = Field(
        default="Trung tâm Lưu trữ lịch sử Hà Nội", description="Agency named on certified copies (bản sao)."
    )
    portal_copy_fees: str = Field(
        default="Phí khai thác, sử dụng tài liệu lưu trữ và phí chứng thực thu theo biểu phí hiện hành; cán bộ lưu trữ "
        "báo số tiền và cách nộp khi duyệt yêu cầu.", max_length=1000,
        description="What the portal's copy-request form says about fees (English pages show the English of the "
        "default; a text of your own is shown as written). See docs/portal.md.",
    )
    portal_copy_days: int = Field(
        default=5, ge=1, le=60,
        description="Working days (Monday to Friday) the archive takes to decide a copy request: the form says it "
        "and the tracking page shows the expected date.",
    )
    public_url: str = Field(
        default="", pattern=r"^(https?://[^/\s?#]+)?$",
        description="The portal's public address (scheme and host, e.g. https://luutru.example.vn) in permanent "
        "links, canonical links, the sitemap and citations ('' takes the address each request came to).",
    )
    api_rate_per_minute: int = Field(
        default=600, ge=1, description="REST API requests per minute per token (or per address without one)."
    )
    oai_repository_id: str = Field(
        default="sohoa.local", pattern=r"^[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z][A-Za-z0-9-]*)+$",
        description="Domain name in OAI-PMH identifiers (oai:<this>:doc/<id>); set it once, before the first "
        "harvest: changing it changes every identifier.",
    )
    oai_admin_email: str = Field(
        default="luutru@sohoa.local", pattern=r"^\S+@(\S+\.)+\S+$",
        description="The adminEmail an OAI-PMH Identify answer names.",
    )
    oai_page_size: int = Field(
        default=100, ge=1, le=10_000, description="Records (or headers) per OAI-PMH list response before a "
        "resumption token.",
    )
    oai_token_hours: int = Field(
        default=24, ge=1, description="An OAI-PMH resumption token expires this many hours after it was issued.",
    )
    oai_sync_seconds: float = Field(
        default=30, ge=0, description="An OAI-PMH list reconciles its datestamps with every document unless another "
        "request did within this many seconds (0: every list; GetRecord always checks its document).",
    )
    edxml_namespace: str = Field(
        default="http://www.mic.gov.vn/TBT/QCVN_102_2016", pattern=r"^\S+:\S+$",
        description="XML namespace of the edXML envelopes `sohoa export-catalogue --format edxml` writes "
        "(QCVN 102:2016; unconfirmed, see docs/integration.md).",
    )
    archive_identifier: str = Field(
        default="", pattern=r"^([0-9A-Z]+(\.[0-9A-Z]+)*)?$", max_length=35,
        description="Mã cơ quan lưu trữ lịch sử: this archive's electronic identifier (QCVN 102), the Identifier "
        "column of catalogue exports ('' leaves it empty).",
    )
    max_query_chars: int = Field(
        default=500, ge=10, le=10_000, description="Longest search query accepted (characters), on every front door."
    )
    portal_rate_per_minute: int = Field(
        default=120, ge=1, description="Portal requests per minute per client address (bursts up to half that)."
    )
    form_rate_per_minute: int = Field(
        default=20, ge=1, description="Posts of the login and copy-request forms, and reads of copy requests by "
        "their tracking code, per minute per client address."
    )
    max_body_bytes: int = Field(
        default=1024**2, ge=1024, description="Largest request body other than an upload (forms, JSON)."
    )
    webhook_allow_private: bool = Field(
        default=False, description="Allow webhook targets on loopback, private, link-local or reserved addresses."
    )
    webhook_allowed_networks: str = Field(
        default="", description="Comma-separated CIDRs allowed as webhook targets even though not public."
    )
    cookie_secure: bool = Field(
        default=False,
        description="Mark cookies `Secure` and send HSTS; must be true in production behind HTTPS.",
    )
    session_idle_minutes: int = Field(
        default=120, ge=1, description="A staff session unused this long ends (server-side)."
    )
    session_max_hours: int = Field(default=12, ge=1, description="A staff session ends this long after sign-in.")
    login_window_seconds: int = Field(
        default=900, ge=1, description="Window of the login failure counters below (fixed windows)."
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins per username from one address, per window."
    )
    login_user_max_failures: int = Field(
        default=20, ge=1, description="Failed logins per username from all addresses, per window."
    )
    login_address_max_failures: int = Field(
        default=30, ge=1, description="Failed logins from one address over all usernames, per window."
    )
    login_global_max_failures: int = Field(
        default=300, ge=1, description="Failed logins over the whole system, per window."
    )
    audit_key_file: Path | None = Field(
        default=None,
        description="Ed25519 key signing audit checkpoints; `keys/audit-checkpoint.pem` in the data dir if unset.",
    )
    audit_checkpoint_minutes: int = Field(
        default=60, ge=0, description="Minutes between audit checkpoints written by the web app (0: none)."
    )
    audit_checkpoint_dir: Path | None = Field(
        default=None, description="Second folder (other media) that receives a copy of every audit checkpoint."
    )
    iiif_cache_mb: int = Field(
        default=256, ge=16, le=65536,
        description="Memory (MiB) each web process keeps for decoded page images served through IIIF (least recently "
        "used pages are dropped first).",
    )
    personal_mask: str = Field(
        default="", max_length=1000,
        description="Which kinds of personal data are masked outside the staff, per access level: "
        "'public=cccd,cmnd,phone;internal=*' (kinds: cccd, cmnd, dob, phone, email, address, bank_account, plate, "
        "parcel, name; '*' every kind; nothing after '=' none). A level not named, and the default '', mask every "
        "kind; staff with the right to read personal data see the originals.",
    )
    subject_request_hours: int = Field(
        default=72, ge=1, le=24 * 365,
        description="Hours after it is received that a data subject request (access, correction, restriction, "
        "deletion; Luật 91/2025/QH15) is due: 72 by default, as Nghị định 13/2023/NĐ-CP set for access; set what "
        "the decree in force requires. The request list shows the due time and what is overdue.",
    )
    iiif_disk_cache_mb: int = Field(
        default=1024, ge=0, le=10**7,
        description="Disk space (MiB) under the data directory (cache/iiif) for IIIF image answers already made, "
        "shared by every process (least recently used dropped first; 0: none).",
    )
    storage_url: str | None = Field(
        default=None, max_length=1000,
        description="Where the object store keeps masters and derivatives: a directory, or s3://bucket[/prefix] "
        "on an S3-compatible server (credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION; "
        "the bucket must exist). Unset: <data>/objects.",
    )
    s3_endpoint: str | None = Field(
        default=None, max_length=1000,
        description="URL of an S3-compatible server (MinIO, Ceph, SeaweedFS …; path-style addressing) for every "
        "s3:// place (storage, replica, OCFL root). Unset: AWS S3.",
    )

    broker_url: str | None = Field(default=None, max_length=1000, description="The cluster profile's task broker "
        "(redis://host:6379/0 or amqp://user:pass@host//): ingest, page and periodic tasks run on `sohoa worker` and "
        "`sohoa beat` processes, possibly on other hosts (unset: the embedded default, in-process pool and timers).")
    result_backend_url: str | None = Field(default=None, max_length=1000, description="Where Celery keeps task results "
        "(default: SOHOA_BROKER_URL when it is redis://, else the database as db+postgresql://…).")
    broker_visibility_timeout: int = Field(21600, ge=10, description="Seconds before an unacked task goes elsewhere.")
    task_max_retries: int = Field(5, ge=0, description="Retries of a task failed on an unreachable service.")
    ingest_claim_ttl_seconds: int = Field(600, ge=5, description="Seconds before an unrenewed ingest claim is free.")
    log_format: str = Field(default="text", pattern="^(text|json)$", description="Log lines of `sohoa serve`, "
                            "`worker` and `beat` on stderr: 'text', or 'json' (one object per line: time in UTC, "
                            "level, logger, message, request_id inside an HTTP request, exc).")
    metrics_allow: str = Field(default="127.0.0.1/32,::1/128", pattern=r"^[0-9A-Fa-f.:/, ]*$", description="Networks "
                               "(comma-separated CIDR) whose clients read GET /metrics without a token; others need "
                               "a token with the metrics:read scope ('': token only; behind a proxy the client is "
                               "the address SOHOA_FORWARDED_ALLOW_IPS lets it name).")

    replica_url: str | None = Field(
        default=None, max_length=1000,
        description="Second copy of every stored object, on independent storage: a directory on another disk, or "
        "s3://bucket[/prefix]; kept in step at each write and by `sohoa replica sync` (unset: no replica).",
    )
    backup_dir: Path | None = Field(
        default=None,
        description="Where `sohoa backup` writes its sets (default: a folder beside, not inside, the data "
        "directory: <data>/../<data-name>-backups). Keep a second set on independent media (`--to`).",
    )
    backup_hour: int = Field(
        default=2, ge=-1, le=23,
        description="Hour (local time, SOHOA_TIME_ZONE) of the daily backup made by the web app: incremental, "
        "full on SOHOA_BACKUP_FULL_DAY (-1: no scheduled backup).",
    )
    backup_full_day: int = Field(
        default=1, ge=1, le=28, description="Day of the month of the scheduled full backup (monthly full).",
    )
    keys_dir: Path | None = Field(
        default=None,
        description="Folder of the key-encryption keys of encryption at rest (default: beside, not inside, the "
        "data directory: <data>/../<data-name>-keys; a folder inside the data directory is refused). Back it up "
        "apart from the data: without it encrypted objects cannot be read.",
    )
    encrypt_levels: str = Field(
        default="internal,secret", max_length=200,
        description="Access levels whose objects are kept encrypted at rest once a key exists (`sohoa keys init`), "
        "comma-separated among public, conditional, internal, secret ('' : none).",
    )
    format_risk_file: Path | None = Field(
        default=None,
        description="A format policy file (TOML, the layout of the shipped sohoa/services/preservation/"
        "format_policy.toml) whose entries override or add to the shipped list of preferred, acceptable and "
        "at-risk PRONOM formats (migration watch).",
    )
    format_interval_minutes: float = Field(
        default=10.0, ge=0,
        description="Minutes between two format identification passes of `sohoa serve` over objects not yet "
        "identified, or identified by an older siegfried or signature file (0: none; `sohoa formats identify`).",
    )
    fixity_rate: float = Field(
        default=50.0, ge=0,
        description="Most objects per second a fixity audit reads back and re-hashes (0: no cap), so audits never "
        "starve the archive's disk; `sohoa fixity run --rate N` overrides it for one run.",
    )
    fixity_cycle_days: int = Field(
        default=30, ge=1, le=3650,
        description="Every stored object is re-checked (fixity) at least once within this many days; a scheduled "
        "pass checks the objects not checked for that long.",
    )
    fixity_interval_minutes: float = Field(
        default=60.0, ge=0,
        description="Minutes between two scheduled fixity passes of `sohoa serve` (each bounded in time; 0: none; "
        "`sohoa fixity run`).",
    )
    ocfl_root: str | None = Field(
        default=None, max_length=1000,
        description="The OCFL 1.1 storage root (one OCFL object per hồ sơ, readable without Sohoa): a directory, "
        "or s3://bucket[/prefix]. Unset: <data>/ocfl.",
    )
    ocfl_interval_minutes: float = Field(
        default=10.0, ge=0,
        description="Minutes between two passes of `sohoa serve` writing new OCFL versions for the hồ sơ that "
        "changed (0: none; `sohoa ocfl sync`).",
    )

    @field_validator("data", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("time_zone", mode="after")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            message = f"SOHOA_TIME_ZONE không phải múi giờ / SOHOA_TIME_ZONE is not a time zone: {value}"
            raise ValueError(message) from exc
        return value

    @field_validator("personal_mask", mode="after")
    @classmethod
    def _mask_policy(cls, value: str) -> str:
        parse_personal_mask(value)
        return value

    @field_validator("encrypt_levels", mode="after")
    @classmethod
    def _levels(cls, value: str) -> str:
        unknown = {p.strip() for p in value.split(",") if p.strip()} - {"public", "conditional", "internal", "secret"}
        if unknown:
            raise ValueError(f"SOHOA_ENCRYPT_LEVELS: mức không rõ / unknown levels: {', '.join(sorted(unknown))}")
        return value

    @field_validator("secret_key", mode="after")
    @classmethod
    def _long_secret(cls, value: str | None) -> str | None:
        if value and len(value) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"SOHOA_SECRET_KEY phải có ít nhất {MIN_SECRET_LENGTH} ký tự (hoặc để trống để tự sinh khóa) / "
                f"SOHOA_SECRET_KEY must have at least {MIN_SECRET_LENGTH} characters (or be unset to generate one)"
            )
        return value

    @cached_property
    def db_url(self) -> str:
        """The database URL in effect."""
        return self.database_url or f"sqlite:///{self.data / 'sohoa.db'}"

    @property
    def signature_trust_root_paths(self) -> tuple[Path, ...]:
        """The files of ``signature_trust_roots``."""
        return tuple(Path(p.strip()).expanduser() for p in self.signature_trust_roots.split(",") if p.strip())

    @property
    def objects_dir(self) -> Path:
        """Root of the content-addressed object store."""
        return self.data / "objects"

    @property
    def work_dir(self) -> Path:
        """Scratch space for pipeline runs (safe to delete when nothing runs)."""
        return self.data / "work"

    @property
    def quarantine_dir(self) -> Path:
        """Where inputs that cannot be processed are copied, with a reason file."""
        return self.data / "quarantine"

    @property
    def keys_path(self) -> Path:
        """The folder of the encryption keys (KEKs) in effect: SOHOA_KEYS_DIR, else beside the data directory."""
        if self.keys_dir is not None:
            return self.keys_dir.expanduser().resolve()
        return self.data.parent / f"{self.data.name}-keys"

    @property
    def encrypted_levels(self) -> frozenset[str]:
        """The access levels of ``encrypt_levels``."""
        return frozenset(p.strip() for p in self.encrypt_levels.split(",") if p.strip())

