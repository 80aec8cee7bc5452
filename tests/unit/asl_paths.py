"""Reading a state machine's ASL for the contract tests of the workflows' typed messages."""
import re


def paths(node) -> list[str]:
    """Every JSONPath into the state's input (``$.a.b``) anywhere in ``node`` (not ``$$.`` context paths)."""
    if isinstance(node, dict):
        return [p for v in node.values() for p in paths(v)]
    if isinstance(node, list):
        return [p for v in node for p in paths(v)]
    if isinstance(node, str):
        return re.findall(r"(?<![$])\$\.[A-Za-z_][A-Za-z0-9_.]*", node)
    return []


def fields(template: dict) -> set[str]:
    """The field names a Parameters / ItemSelector / ResultSelector template builds."""
    return {k.removesuffix(".$") for k in template}
