"""Validate FHIR R4 instances (JSON dicts) against the StructureDefinitions of a folder.

Why a checker of our own: VKP/JFT receivers reject documents that break the VKP profiles,
and the specification publishes no example instances to test against, so the rules must come
from the profiles themselves — never hand-copied. `ProfileSet.load` reads the folder (XML or
JSON; snapshot when a profile has one, else its differential) and `validate` walks an
instance along the profile's element tree.

What is checked: cardinality (min/max) of every element a profile describes, slices (by
`value`/`pattern` discriminators — extensions by url, identifiers by system — with open or
closed rules), fixed[x] and pattern[x] values, required bindings to ValueSets expanded from
the CodeSystems in the folder (extensible/preferred bindings and ValueSets naming code systems
that are not in the folder are not errors), the resource types a Reference may point to
(`targetProfile`), the types of a choice element, extension profiles, and meta.profile.
Not checked: FHIRPath invariants (`constraint`), and base R4 rules on elements a profile does
not describe (use `structuring.export.validate_fhir` for base R4 structure).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from structuring.fhir_conformance import many, read_folder
from structuring.fhir_terminology import Terminology
from structuring.fhir_values import codings, matches, shown, values_at
from structuring.privacy import mask_national_ids

BASE_PROFILE = "http://hl7.org/fhir/StructureDefinition/"
Resolver = Callable[[str], "str | None"]  # a reference → the resource type it points to


@dataclass(frozen=True)
class ProfileIssue:
    """One way an instance breaks a profile; `path` names the element, FHIRPath-like."""

    path: str
    message: str


@dataclass
class _Node:
    """An element of a profile, with the elements under it and its slices."""

    name: str
    definition: dict = field(default_factory=dict)
    children: dict[str, _Node] = field(default_factory=dict)
    slices: dict[str, _Node] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    """One StructureDefinition, as a tree of element definitions."""

    url: str
    id: str
    name: str
    type: str
    root: _Node


class ProfileSet:
    """The profiles, code systems and value sets of one conformance folder."""

    def __init__(self, profiles: list[Profile], code_systems: dict[str, dict],
                 value_sets: dict[str, dict]) -> None:
        self.profiles = profiles
        self.terminology = Terminology(code_systems, value_sets)
        self._by_key: dict[str, Profile] = {}
        for profile in profiles:
            for key in (profile.url, profile.id, profile.name):
                self._by_key.setdefault(key, profile)
                self._by_key.setdefault(key.lower(), profile)

    @classmethod
    def load(cls, directory: Path) -> ProfileSet:
        """Read every StructureDefinition, CodeSystem and ValueSet under `directory`."""
        if not Path(directory).is_dir():
            raise FileNotFoundError(f"no FHIR conformance folder at {directory}")
        profiles, code_systems, value_sets = [], {}, {}
        for resource in read_folder(Path(directory)):
            kind = resource.get("resourceType")
            if kind == "StructureDefinition" and resource.get("type"):
                profiles.append(_profile(resource))
            elif kind == "CodeSystem" and resource.get("url"):
                code_systems[resource["url"]] = resource
            elif kind == "ValueSet" and resource.get("url"):
                value_sets[resource["url"]] = resource
        return cls(profiles, code_systems, value_sets)

    # -- look-ups ---------------------------------------------------------------------------

    def profile(self, key: str) -> Profile | None:
        """A profile by canonical URL (a `|version` suffix is ignored), id or name."""
        key = key.split("|", 1)[0]
        return self._by_key.get(key) or self._by_key.get(key.lower())

    def default_profile(self, resource_type: str) -> Profile | None:
        """The plainest profile of a resource type (shortest name, e.g. vkp-Observation-v090
        rather than vkp-Observation-Bodytemp-v090): what a resource without meta.profile
        is held to."""
        candidates = [p for p in self.profiles if p.type == resource_type
                      and p.root.definition.get("_kind", "resource") == "resource"]
        return min(candidates, key=lambda p: (len(p.url.rsplit("/", 1)[-1]), p.url),
                   default=None)

    def codes(self, key: str) -> frozenset[str]:
        """All codes of a ValueSet or CodeSystem (URL, id or name); KeyError if unknown."""
        return self.terminology.codes(key)

    # -- validation -------------------------------------------------------------------------

    def validate(self, resource: dict, profile: str | None = None,
                 *, resolve: Resolver | None = None) -> list[ProfileIssue]:
        """Issues of `resource` against `profile` (None: its meta.profile, else its type)."""
        kind = str(resource.get("resourceType", "Resource"))
        issues: list[ProfileIssue] = []
        meta = resource.get("meta")
        if meta is not None and not isinstance(meta, dict):
            return _unique([ProfileIssue(f"{kind}.meta", "must be a JSON object")])
        claimed = [str(u) for u in many((meta or {}).get("profile"))]
        for i, url in enumerate(claimed):
            known = self.profile(url)
            where = f"{kind}.meta.profile[{i}]"
            if known is None:
                issues.append(ProfileIssue(where, f"unknown profile {url}"))
            elif known.type != kind:
                issues.append(ProfileIssue(where, f"profile {url} is for {known.type}, "
                                                  f"not {kind}"))
        if profile is not None:
            targets = [self.profile(profile)]
            if targets[0] is None:
                return _unique([*issues, ProfileIssue(kind, f"unknown profile {profile}")])
            if claimed and targets[0].url not in {u.split("|", 1)[0] for u in claimed}:
                issues.append(ProfileIssue(f"{kind}.meta.profile",
                                           f"does not claim {targets[0].url}"))
        elif claimed:
            targets = [p for p in map(self.profile, claimed) if p is not None]
        else:
            targets = [self.default_profile(kind)]
        local = _contained_resolver(resource)
        checker = _Checker(self, _chain(local, resolve))
        for target in targets:
            if target is not None and target.type == kind:
                checker.check_value(target.root, resource, kind)
        return _unique(issues + checker.issues)

    def validate_bundle(self, bundle: dict) -> list[ProfileIssue]:
        """Issues of every entry (paths `Bundle.entry[i].resource.<Type>…`) and of the
        Bundle's own document rules (Composition first, urn:uuid references resolve)."""
        issues: list[ProfileIssue] = []
        if bundle.get("resourceType") != "Bundle":
            return [ProfileIssue("Bundle", "not a Bundle")]
        entries = many(bundle.get("entry"))
        by_url = {str(e["fullUrl"]): e["resource"].get("resourceType") for e in entries
                  if isinstance(e, dict) and e.get("fullUrl")
                  and isinstance(e.get("resource"), dict)}
        resolve = by_url.get
        for i, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                issues.append(ProfileIssue(f"Bundle.entry[{i}].resource", "missing"))
                continue
            prefix = f"Bundle.entry[{i}].resource."
            issues += [ProfileIssue(prefix + p.path, p.message)
                       for p in self.validate(resource, resolve=resolve)]
        if bundle.get("type") == "document":
            issues += _document_rules(bundle, entries, by_url)
        return _unique(issues)


class _Checker:
    """One validation run: walks an instance along a profile tree, collecting issues."""

    def __init__(self, profiles: ProfileSet, resolve: Resolver) -> None:
        self.profiles = profiles
        self.resolve = resolve
        self.issues: list[ProfileIssue] = []

    def problem(self, path: str, message: str) -> None:
        self.issues.append(ProfileIssue(path, message))

    def check_children(self, node: _Node, value: object, path: str) -> None:
        if not isinstance(value, dict):
            return
        for child in node.children.values():
            self.check_element(child, value, path)

    def check_element(self, node: _Node, parent: dict, parent_path: str) -> None:
        """Cardinality, slices and each value of one element under `parent`."""
        found = _values(node.name, parent, parent_path)
        definition = node.definition
        label = f"{parent_path}.{node.name.removesuffix('[x]')}"
        _cardinality(self, definition, len(found), label)
        if node.name.endswith("[x]"):
            allowed = {t.get("code") for t in many(definition.get("type"))}
            for key, _value, path in found:
                suffix = key[len(node.name) - 3:]
                if allowed and suffix[:1].lower() + suffix[1:] not in allowed \
                        and suffix not in allowed:
                    self.problem(path, f"type {suffix} not allowed here "
                                       f"(allowed: {', '.join(sorted(allowed))})")
        for _key, value, path in found:
            self.check_value(node, value, path)
        if node.slices:
            self.check_slices(node, found, label)

    def check_value(self, node: _Node, value: object, path: str) -> None:
        """Fixed/pattern values, binding, reference types, type profiles, then children."""
        definition = node.definition
        if not _right_kind(definition, value):
            self.problem(path, "must be a JSON " + ("object" if _complex(definition)
                                                    else "string, number or boolean"))
            return
        for key, expected in definition.items():
            if key.startswith("fixed") and not matches(value, expected, exact=True):
                self.problem(path, f"must be {shown(expected)} (fixed), found {shown(value)}")
            elif key.startswith("pattern") and not matches(value, expected):
                self.problem(path, f"must match {shown(expected)} (pattern)")
        binding = definition.get("binding") or {}
        if binding.get("strength") == "required" and binding.get("valueSet"):
            self.check_binding(str(binding["valueSet"]), value, path)
        types = many(definition.get("type"))
        for type_ in types:
            if type_.get("code") == "Reference" and type_.get("targetProfile"):
                self.check_reference(many(type_["targetProfile"]), value, path)
            for url in many(type_.get("profile")):
                profile = self.profiles.profile(str(url))
                if profile is not None and profile is not node:
                    self.check_children(profile.root, value, path)
        self.check_children(node, value, path)

    def check_binding(self, value_set: str, value: object, path: str) -> None:
        expansion = self.profiles.terminology.expansion(value_set)
        if expansion is None:
            return  # a value set that is not in the folder cannot be checked
        coded = codings(value)
        if coded is None:
            return
        if not coded:
            self.problem(path, f"no coding from required ValueSet {value_set}")
            return
        for system, code in coded:
            candidates = [expansion.get(system, False)] if system else list(expansion.values())
            if any(c is None or (c and code in c) for c in candidates):
                return
        said = ", ".join(f"{s or ''}#{c}" for s, c in coded)
        self.problem(path, f"code {said} is not in required ValueSet {value_set}")

    def check_reference(self, target_profiles: list, value: object, path: str) -> None:
        if not isinstance(value, dict):
            return
        allowed = set()
        for url in target_profiles:
            profile = self.profiles.profile(str(url))
            if profile is not None:
                allowed.add(profile.type)
            elif str(url).startswith(BASE_PROFILE):
                allowed.add(str(url)[len(BASE_PROFILE):])
        actual = value.get("type") or _reference_type(value.get("reference"), self.resolve)
        if allowed and actual and actual not in allowed:
            self.problem(path, f"must reference {' or '.join(sorted(allowed))}, "
                               f"not {actual}")

    def check_slices(self, node: _Node, found: list, label: str) -> None:
        slicing = node.definition.get("slicing") or {}
        discriminators = [d for d in many(slicing.get("discriminator"))
                          if d.get("type") in ("value", "pattern")]
        if not discriminators:
            return  # type/profile/exists discriminators: slices cannot be told apart here
        counts = {name: 0 for name in node.slices}
        for _key, value, path in found:
            match = next((name for name, s in node.slices.items()
                          if _in_slice(s, value, discriminators)), None)
            if match is None:
                if slicing.get("rules") == "closed":
                    self.problem(path, f"matches none of the slices "
                                       f"{', '.join(node.slices)} (closed slicing)")
                continue
            counts[match] += 1
            self.check_value(node.slices[match], value, path)
        for name, slice_ in node.slices.items():
            _cardinality(self, slice_.definition, counts[name], f"{label}:{name}")


def _complex(definition: dict) -> bool:
    codes = [str(t.get("code", "")) for t in many(definition.get("type"))]
    return bool(codes) and all(c[:1].isupper() for c in codes)


def _right_kind(definition: dict, value: object) -> bool:
    """FHIR JSON: complex types are objects, primitives are not (types as the profile
    declares them; an element without declared types is not checked)."""
    codes = [str(t.get("code", "")) for t in many(definition.get("type"))]
    if not codes or isinstance(value, list):
        return True
    if all(c[:1].isupper() for c in codes):
        return isinstance(value, dict)
    if all(c[:1].islower() or c.startswith("http") for c in codes):
        return not isinstance(value, dict)
    return True


# -- building profiles ------------------------------------------------------------------------

def _profile(definition: dict) -> Profile:
    type_ = str(definition["type"])
    source = definition.get("snapshot") or definition.get("differential") or {}
    root = _Node(type_)
    root.definition = {"_kind": definition.get("kind", "resource")}
    for element in many(source.get("element")):
        node = root
        steps = _steps(str(element.get("id") or element.get("path", "")))
        for name, slice_name in steps[1:]:
            node = node.children.setdefault(name, _Node(name))
            if slice_name:
                node = node.slices.setdefault(slice_name, _Node(name))
        if node is root:
            continue
        node.definition = element
    return Profile(url=str(definition.get("url", "")), id=str(definition.get("id", "")),
                   name=str(definition.get("name", "")), type=type_, root=root)


def _steps(element_id: str) -> list[tuple[str, str | None]]:
    """`A.b:s.c` → [(A, None), (b, s), (c, None)]; a re-slice (`s/t`) keeps its last part."""
    steps = []
    for part in element_id.split("."):
        name, _, slice_name = part.partition(":")
        steps.append((name, slice_name.rsplit("/", 1)[-1] or None))
    return steps


# -- reading instances ------------------------------------------------------------------------

def _values(name: str, parent: dict, parent_path: str) -> list[tuple[str, object, str]]:
    """(key, value, path) of every value of element `name` in `parent`."""
    if name.endswith("[x]"):
        stem = name[:-3]
        keys = [k for k in parent if k.startswith(stem) and k[len(stem):][:1].isupper()]
    else:
        keys = [name] if name in parent else []
    out = []
    for key in keys:
        raw = parent[key]
        if isinstance(raw, list):
            out += [(key, v, f"{parent_path}.{key}[{i}]") for i, v in enumerate(raw)]
        elif raw is not None:
            out.append((key, raw, f"{parent_path}.{key}"))
    return out


def _cardinality(checker: _Checker, definition: dict, count: int, label: str) -> None:
    low = int(definition.get("min", 0) or 0)
    high = str(definition.get("max", "*"))
    if count < low:
        checker.problem(label, f"required: at least {low}, found {count}")
    if high != "*" and count > int(high):
        checker.problem(label, "not allowed here" if high == "0"
                        else f"at most {high} allowed, found {count}")


def _in_slice(slice_: _Node, value: object, discriminators: list[dict]) -> bool:
    for discriminator in discriminators:
        path = str(discriminator.get("path", "$this"))
        expected = _slice_values(slice_, path)
        exact = discriminator.get("type") == "value"
        if not any(matches(actual, e, exact=exact)
                   for actual in values_at(value, path) for e in expected):
            return False
    return True


def _slice_values(slice_: _Node, path: str) -> list:
    """The fixed/pattern values a slice sets at `path` (looking into nested slices, e.g. a
    component slice whose coding is sliced again); an extension's url is its profile's."""
    nodes = [slice_]
    if path != "$this":
        for part in path.split("."):
            nodes = [c for n in nodes for c in _with_slices(n.children.get(part))]
    values = [v for n in nodes for k, v in n.definition.items()
              if k.startswith(("fixed", "pattern"))]
    if not values and path == "url":
        values = [str(p) for t in many(slice_.definition.get("type"))
                  for p in many(t.get("profile"))]
    return values


def _with_slices(node: _Node | None) -> list[_Node]:
    return [] if node is None else [node, *node.slices.values()]


def _reference_type(reference: object, resolve: Resolver) -> str | None:
    if not isinstance(reference, str) or not reference:
        return None
    if reference.startswith(("urn:", "#")):
        return resolve(reference)
    match = re.search(r"(?:^|/)([A-Z][A-Za-z]+)/[A-Za-z0-9\-.]{1,64}(?:/_history/[^/]+)?$",
                      reference)
    return match.group(1) if match else resolve(reference)


def _contained_resolver(resource: dict) -> Resolver:
    contained = {f"#{c.get('id')}": c.get("resourceType")
                 for c in many(resource.get("contained")) if isinstance(c, dict)}
    return contained.get


def _chain(first: Resolver, second: Resolver | None) -> Resolver:
    if second is None:
        return first
    return lambda reference: first(reference) or second(reference)


def _unique(issues: list[ProfileIssue]) -> list[ProfileIssue]:
    """Each issue once, and masked: messages quote values and paths name keys of the
    instance, and a national ID in either must not reach a log or a response."""
    masked = (ProfileIssue(mask_national_ids(i.path), mask_national_ids(i.message))
              for i in issues)
    return list(dict.fromkeys(masked))


def _document_rules(bundle: dict, entries: list, by_url: dict) -> list[ProfileIssue]:
    """A document Bundle starts with its Composition and carries what it references."""
    issues = []
    first = entries[0].get("resource") if entries and isinstance(entries[0], dict) else None
    if not isinstance(first, dict) or first.get("resourceType") != "Composition":
        issues.append(ProfileIssue("Bundle.entry[0].resource",
                                   "a document Bundle must start with a Composition"))
    for field_name in ("identifier", "timestamp"):
        if not bundle.get(field_name):
            issues.append(ProfileIssue(f"Bundle.{field_name}", "required in a document"))
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        for path, reference in _references(resource, f".{resource.get('resourceType')}"):
            if reference.startswith("urn:uuid:") and reference not in by_url:
                issues.append(ProfileIssue(f"Bundle.entry[{i}].resource{path}",
                                           f"{reference} is not in the Bundle"))
    return issues


def _references(value: object, path: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield f"{path}.reference", value["reference"]
        for key, child in value.items():
            if key == "resourceType":
                continue
            yield from _references(child, f"{path}.{key}")
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _references(child, f"{path}[{i}]")
