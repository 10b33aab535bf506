"""Reading profile files: bounded YAML, one file, or a whole directory of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .model import ProfileError, WallboxProfile
from .parse import parse_profile

# Bounds on a profile file: the largest built-in profile is a few KiB with a few hundred nodes.
PROFILE_MAX_BYTES = 256 * 1024
PROFILE_MAX_NODES = 20_000  # YAML nodes once aliases are expanded (an alias bomb has billions)
PROFILE_MAX_DEPTH = 32


def _yaml_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expanded_size(root: yaml.Node, source: str) -> None:
    """Refuse documents that grow too large or deep once aliases are expanded.

    Aliases share nodes, so each node is measured once (memoized) however often it is used:
    this takes time in the file's size, not in its expanded size.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    ancestors: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            ancestors.discard(key)
            children = _yaml_children(node)
            size[key] = 1 + sum(size[id(child)] for child in children)
            depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
            if size[key] > PROFILE_MAX_NODES:
                raise ProfileError(
                    source,
                    f"too large once its aliases are expanded (over {PROFILE_MAX_NODES} values)",
                )
            if depth[key] > PROFILE_MAX_DEPTH:
                raise ProfileError(source, f"nested deeper than {PROFILE_MAX_DEPTH} levels")
            continue
        if key in size:
            continue
        if key in ancestors:
            raise ProfileError(source, "an alias refers to a value that contains it")
        ancestors.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _yaml_children(node))


def _load_bounded_yaml(path: Path) -> Any:
    """Parse a YAML file within the size, node and depth bounds (never its expansion)."""
    with path.open("rb") as handle:
        data = handle.read(PROFILE_MAX_BYTES + 1)
    if len(data) > PROFILE_MAX_BYTES:
        raise ProfileError(str(path), f"file is larger than {PROFILE_MAX_BYTES // 1024} KiB")
    loader = yaml.SafeLoader(data.decode("utf-8"))
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node, str(path))
        return loader.construct_document(node)  # type: ignore[no-untyped-call]
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]


def load_profile_file(path: Path) -> WallboxProfile:
    """Read and validate one profile file (blocking I/O: call from an executor)."""
    try:
        raw = _load_bounded_yaml(path)
    except OSError as err:
        raise ProfileError(str(path), f"cannot read file: {err.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ProfileError(str(path), f"not valid YAML: {err}") from None
    except RecursionError:
        raise ProfileError(str(path), "nested too deeply") from None
    return parse_profile(path.stem, raw, path.name)


BUILTIN_PROFILE_DIR = Path(__file__).parents[2] / "profiles"


@dataclass(slots=True)
class ProfileCatalog:
    """All usable profiles plus the files that failed validation."""

    profiles: dict[str, WallboxProfile] = field(default_factory=dict)
    errors: dict[str, ProfileError] = field(default_factory=dict)


def load_profiles(*directories: Path) -> ProfileCatalog:
    """Load every *.yaml in the directories; later directories add (never replace) models.

    A broken file is reported in `errors` and never stops the others from loading.
    """
    catalog = ProfileCatalog()
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.yaml")):
            try:
                profile = load_profile_file(path)
            except ProfileError as err:
                catalog.errors[str(path)] = err
                continue
            if profile.profile_id in catalog.profiles:
                catalog.errors[str(path)] = ProfileError(
                    path.name,
                    f"a profile named '{profile.profile_id}' already exists; rename the file",
                )
                continue
            catalog.profiles[profile.profile_id] = profile
    return catalog
