"""Small things people read: a confirmation says what was done, and nothing speaks of how the
product was built ("seed documents")."""

import ast
import json
import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
APPS = ["cases", "contacts", "dashboards", "documents", "referrals", "safeguard"]
GENERIC = {"recorded", "saved", "done", "updated", "deleted", "success", "ok", "changes saved"}


def _success_messages():
    """(file:line, literal text or None for a formatted one) of every confirmation."""
    for app in APPS:
        for path in (BASE / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                owner = getattr(getattr(func, "value", None), "id", "")
                if not ((called == "success" and owner == "messages") or called == "_done"):
                    continue
                message = node.args[-1]
                where = f"{path.relative_to(BASE)}:{node.lineno}"
                yield where, message.value if isinstance(message, ast.Constant) else None


def test_the_walk_finds_the_confirmations():
    assert len(list(_success_messages())) >= 20


def test_no_confirmation_is_a_bare_generic_word():
    bare = []
    for where, text in _success_messages():
        if text is None:
            continue
        words = re.findall(r"[a-z']+", text.lower())
        if " ".join(words) in GENERIC or len(words) < 3:
            bare.append(f"{where}: {text!r}")
    assert bare == []


def test_reference_data_and_templates_never_speak_of_seeds():
    found = []
    # The directory's fixtures are what people read (an indicator's source is not shown).
    for path in (BASE / "fixtures").glob("contact*.json"):
        text = json.dumps(json.loads(path.read_text()))
        found += [f"{path.name}: {m}" for m in re.findall(r".{30}\bseed\w*.{10}", text, re.I)]
    for path in (BASE / "templates").rglob("*.html"):
        text = re.sub(r"{% comment %}.*?{% endcomment %}|{#.*?#}", "", path.read_text(), flags=re.S)
        found += [f"{path.name}: {m}" for m in re.findall(r".{0,30}\bseed\w*", text, re.I)]
    assert found == []
