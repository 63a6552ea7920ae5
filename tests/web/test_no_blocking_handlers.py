"""No blocking work on the event loop: an ``async def`` route handler may only await, or call what is cheap.

FastAPI runs a plain ``def`` handler in its thread pool, but an ``async def`` handler on the event loop itself:
one synchronous service call there (a database query, a file read, rebuilding a PDF/A) stalls every other
request of the process. The rule of the HTTP adapters (web, portal, API, the HTTP kit) is therefore:

- a handler that does blocking work is a plain ``def``;
- a handler is ``async def`` only to await I/O (``request.form()``, a streamed body), and hands the blocking
  part to ``run_in_threadpool``.

The check reads the source (AST), so it needs no server and cannot be flaky. It looks at every ``async def``
decorated as a route (``@router.get/post/put/patch/delete/…``, closures included) and every other ``async
def`` of a module that declares routes (the helpers handlers await, streamed bodies), lifespans aside. Inside
each it finds every call that runs on the event loop: calls in nested functions and lambdas are skipped (they
run where they are handed, typically the thread pool). A call is accepted when it is awaited, when it builds
an object (a CamelCase name: responses, errors, models), or when its name is in ``CHEAP`` (builtins and
methods of strings, dicts and headers). Anything else — ``review.update_fields(...)``, ``search(ctx, ...)``,
``render(...)`` — fails the test with its place. A false alarm is fixed by moving the call to the thread pool,
or, for a truly cheap helper, by adding its name to ``CHEAP`` here, where a reviewer sees it.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "sohoa"
PACKAGES = ("web", "portal", "api", "http")
ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "api_route", "websocket"}

CHEAP = {
    # builtins
    "str", "int", "float", "bool", "len", "dict", "list", "tuple", "set", "frozenset", "isinstance", "range",
    "next", "any", "all", "min", "max", "sorted", "enumerate", "zip", "getattr", "hasattr", "repr",
    # str, dict, header, regex match and multipart form methods
    "get", "items", "keys", "values", "startswith", "endswith", "split", "strip", "replace", "lower", "upper",
    "isdigit", "group", "match", "fullmatch", "encode", "decode", "join", "format", "getlist",
    # JSON of a small payload; pydantic's dump of a built model
    "dumps", "model_dump",
    # a non-blocking put on an unbounded queue (QueueWorker.submit)
    "submit",
    # pure helpers of the adapters: a redirect target check, a JSON problem body, a status as a dict,
    # the name of a refusal, the API's per-app state (made once, under a lock), a route's URL
    "local_path", "problem", "_json", "_refusal", "api_state", "url_path_for",
}


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_route(node: ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_METHODS
               for d in node.decorator_list)


def _is_lifespan(node: ast.AsyncFunctionDef) -> bool:
    """Start-up and shutdown run once, before and after requests: not checked."""
    return "lifespan" in node.name or any(
        (isinstance(d, ast.Name) and d.id == "asynccontextmanager")
        or (isinstance(d, ast.Attribute) and d.attr == "asynccontextmanager") for d in node.decorator_list)


def _loop_calls(node: ast.AsyncFunctionDef) -> list[tuple[ast.Call, bool]]:
    """(call, awaited) of every call that runs on the event loop in ``node``'s own body."""
    found: list[tuple[ast.Call, bool]] = []

    def visit(child: ast.AST, parent: ast.AST) -> None:
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return  # runs where it is handed (the thread pool), not here
        if isinstance(child, ast.Call):
            found.append((child, isinstance(parent, ast.Await)))
        for grandchild in ast.iter_child_nodes(child):
            visit(grandchild, child)

    for statement in node.body:
        visit(statement, node)
    return found


def blocking_calls(source: str, filename: str) -> tuple[list[str], list[str]]:
    """(checked async functions, offending calls as ``file:line name()``) of one module's source."""
    tree = ast.parse(source, filename)
    asyncs = [n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef)]
    has_routes = any(_is_route(n) for n in asyncs) or any(
        isinstance(n, ast.FunctionDef) and any(
            isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_METHODS
            for d in n.decorator_list)
        for n in ast.walk(tree))
    checked = [n for n in asyncs if _is_route(n) or (has_routes and not _is_lifespan(n))]
    offences = []
    for func in checked:
        for call, awaited in _loop_calls(func):
            name = _callee(call)
            if awaited or name in CHEAP or name[:1].isupper():
                continue
            offences.append(f"{filename}:{call.lineno} {func.name}: {name or ast.unparse(call.func)}()")
    return [f"{filename}:{f.name}" for f in checked], offences


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (SRC / package).rglob("*.py"))


def test_async_handlers_do_no_blocking_work() -> None:
    checked: list[str] = []
    offences: list[str] = []
    for path in _sources():
        names, found = blocking_calls(path.read_text(encoding="utf-8"), str(path.relative_to(SRC)))
        checked += names
        offences += found
    # The check is not vacuous: the handlers that must await a form or a body are among those read.
    assert any(name.endswith("routes_review.py:save") for name in checked), checked
    assert any(name.endswith("routes_scanning.py:upload_chunk") for name in checked), checked
    assert not offences, "blocking calls on the event loop (make the handler a plain def, or use " \
                         "run_in_threadpool):\n" + "\n".join(offences)


BAD = '''
@router.post("/review/{doc_id}")
async def save(request, ctx, doc_id):
    form = await request.form()
    review.update_fields(ctx, doc_id, dict(form))  # rebuilds the PDF/A on the event loop
    return RedirectResponse("/review", status_code=303)
'''

GOOD = '''
@router.post("/review/{doc_id}")
async def save(request, ctx, doc_id):
    form = await request.form()
    await run_in_threadpool(review.update_fields, ctx, doc_id, dict(form))
    await run_in_threadpool(lambda: review.update_fields(ctx, doc_id, {}))
    return RedirectResponse(local_path("/review"), status_code=303)


@router.get("/review")
def queue(ctx):
    return review.review_queue(ctx)  # a plain def runs in the thread pool
'''


def test_the_check_finds_a_service_called_on_the_event_loop() -> None:
    checked, offences = blocking_calls(BAD, "bad.py")
    assert checked == ["bad.py:save"]
    assert offences == ["bad.py:5 save: update_fields()"]
    assert blocking_calls(GOOD, "good.py") == (["good.py:save"], [])
