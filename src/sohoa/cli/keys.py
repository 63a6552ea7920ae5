"""`sohoa keys`: the key-encryption keys of encryption at rest (init, status, rotate, retire), sealing what is due."""

from __future__ import annotations

import typer
from rich.table import Table

from sohoa.cli.common import app_context, console, print_json
from sohoa.services.preservation.encryption import (
    encrypt_due,
    encryption_status,
    init_keys,
    retire_key,
    rotate_keys,
)

app = typer.Typer(help="Khóa mã hóa / Encryption keys at rest: init, status, rotate, retire, encrypt.",
                  no_args_is_help=True)


@app.command()
def init() -> None:
    """Tạo khóa đầu tiên / Create the first key-encryption key (in SOHOA_KEYS_DIR, outside the data directory)."""
    with app_context() as ctx:
        key_id = init_keys(ctx, "cli")
        swept = encrypt_due(ctx)
    console.print(f"Khóa / key {key_id} ({ctx.settings.keys_path}); {swept.sealed} đối tượng đã mã hóa / "
                  "objects encrypted. Sao lưu thư mục khóa riêng / back the keys folder up separately.")


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="Print the status as JSON.")) -> None:
    """Tình trạng mã hóa / Keys, what is encrypted and what is still due."""
    with app_context() as ctx:
        found = encryption_status(ctx)
    if as_json:
        print_json({"keys_dir": found.keys_dir, "levels": list(found.levels), "current_key": found.current_key,
                    "encrypted": found.encrypted, "due": found.due, "supported": found.supported,
                    "problem": found.problem[1] if found.problem else None,
                    "keys": [{"key_id": k.key_id, "objects": k.objects, "current": k.current, "present": k.present}
                             for k in found.keys]})
        return
    console.print(f"Thư mục khóa / keys folder: {found.keys_dir}")
    console.print(f"Mức được mã hóa / levels encrypted: {', '.join(found.levels) or '-'}")
    table = Table(title="Khóa / Keys")
    for col in ("ID", "Đối tượng / Objects", "Hiện hành / Current", "Có tệp / Present"):
        table.add_column(col)
    for key in found.keys:
        table.add_row(key.key_id, str(key.objects), "*" if key.current else "", "yes" if key.present else "[red]NO")
    console.print(table)
    console.print(f"Đã mã hóa / encrypted: {found.encrypted}; chờ mã hóa / due: {found.due}")
    if found.current_key is None:
        console.print("Chưa có khóa: chạy `sohoa keys init` / no key yet: run `sohoa keys init`")
    if not found.supported:
        console.print("[yellow]Kho này chưa hỗ trợ mã hóa / this object store cannot encrypt")
    if found.problem:
        console.print(f"[red]{found.problem[0]} / {found.problem[1]}")


@app.command()
def encrypt(limit: int | None = typer.Option(None, "--limit", min=1, help="Nhiều nhất / at most this many")) -> None:
    """Mã hóa các đối tượng đến hạn / Encrypt every restricted object still plain (resumable)."""
    with app_context() as ctx:
        result = encrypt_due(ctx, limit=limit)
    console.print(f"{result.sealed} đối tượng đã mã hóa / objects encrypted; {len(result.failed)} lỗi / failed")
    if result.failed:
        raise typer.Exit(1)


@app.command()
def rotate(resume: bool = typer.Option(False, "--resume",
                                       help="Chỉ bọc lại, không tạo khóa mới / re-wrap only, no new key")) -> None:
    """Thay khóa / A new key becomes current and every data key is re-wrapped under it."""
    with app_context() as ctx:
        result = rotate_keys(ctx, "cli", new_key=not resume)
    console.print(f"Khóa hiện hành / current key {result.key_id}: {result.rewrapped} bọc lại / re-wrapped, "
                  f"{result.left} còn lại / left")
    if result.left:
        raise typer.Exit(1)


@app.command()
def retire(key_id: str = typer.Argument(..., help="ID của khóa cũ / the old key's id")) -> None:
    """Hủy khóa cũ / Remove an old key no object uses any more (after a rotation)."""
    with app_context() as ctx:
        retire_key(ctx, key_id, "cli")
    console.print(f"Đã hủy khóa / key retired: {key_id}. Hủy cả các bản sao lưu của nó / destroy its backups too.")
