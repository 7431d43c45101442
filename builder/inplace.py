"""Edits in place: the rebuild after a few articles changed, came or left,
made from what the last build stored, without loading the rest of the
archive.

    edit_in_place      the whole rebuild, or ``None``: the full plan takes over
      _process_edits   the changed files processed; what the last build made
                       of them loaded (``_Edits``); ``None`` unless the other
                       articles keep their place (``_others_kept``) and
                       their slugs (``_slugs_free``)
      _plan_in_place   the outputs those edits change: the articles' pages,
                       the pages that relate to them, their groups' pages
                       and feeds (``_group_in_place``), the facets' indexes
                       and the sitemap
      render, commit   as a full build's, over those outputs alone

``build._build`` tries this first whenever only article files and sidecars
changed since the last build; it shares the pipeline's steps for
processing, keys and outputs (``build._process_one``, ``_article_outputs``,
``_render`` …), so a page made here is the page a cold build makes. That
is tested: ``tests/test_incremental.py`` compares every such build with a
cold one.
"""

from __future__ import annotations

import importlib
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

from builder import processes
from builder.build import (ORIGINALS, RELATE_APART, _article_key, _article_outputs, _bodies, _country_pages, _Job,
                           _load_relations, _process_one, _render, _report, _Scan, _store_built, _store_processed,
                           _store_relations, _tasks, _unlinked_countries)
from builder.cache import Cache, GroupRecord
from builder.config import Settings
from builder.models import BuildReport, Entry, Skip
from builder.write import StagingSite, folder_digests, folders_of

if TYPE_CHECKING:
    from builder.build import _Stages
    from builder.indexes import Output
    from builder.related import RelationState
    from builder.render import PageFingerprints

IN_PLACE_LIMIT = 32
IN_PLACE_SHARE = 10
"""More changed files than ``IN_PLACE_LIMIT`` or a tenth of the archive
(its files now and those that left), whichever is more, take the full
plan (``edit_in_place``). In the 29k
project, adding or removing its 100, 1,000 or 2,000 newest articles in
place took 1.0-2.2 s less than the full plan, with half its memory; in a
project of 5,000, 1,000 newest in place took as long as the full plan."""

def edit_in_place(settings: Settings, job: _Job, cache: Cache, run: Callable, site: StagingSite, scan: _Scan,
                   summary: tuple, labels: dict[str, tuple[str, str]], fingerprints: PageFingerprints, inputs: str,
                   build_id: str, stages: "_Stages") -> BuildReport | None:
    """The rebuild after edits of a few articles, and after a few additions
    and removals, that leave the other articles as they were
    (``_others_kept``, ``_slugs_free``), or ``None`` when it cannot be made
    here (the full plan then takes over, with what was processed here in
    the cache).

    Such an edit may change an article's text, title, date, tags,
    countries, language and source, original address and ``listed`` (see
    ``_others_kept``) and slug (to one no other article has or would take,
    see ``_slugs_free``), but not what it is a translation of, nor the
    language of one that has translations; an article that came is no
    other's translation. A group of any facet may appear or empty, as long
    as no other source's page moves (see ``_source_paths``); a copy that is
    not listed joins no group. A copy that comes first of its group, or the
    next of a listed copy that left, is listed now: its lists, relations
    and sitemap entry change as an addition's, and those of the copy listed
    before as a removal's. What is made again: each edited or added
    article's page and raw copy (and a removed one's are removed, as is
    the old page of one given a new slug); the pages whose relations
    changed (recomputed from the stored relation state: relations depend
    on tags and countries only, and on the number of listed articles), and
    those that name an edited article as related when its title, language
    or slug changed; the pages and feeds of the groups an
    article is or was in whose articles, neighbours or size changed (laid
    out before and after from their members' paths alone: see
    ``indexes.pages_changed``); the index of a facet when one of its groups
    appeared, emptied or changed its size; the tags' labels and paths (when
    a tag appears or empties, as long as no other tag's path changes); and
    the sitemap, from the list of pages the last build kept. The entries of
    the rest of the archive are not even loaded. Only articles and their
    sidecars may have changed, come or left (``others``: settings,
    templates, code and static files are as they were; the manifest
    reaches the pages through the records only)."""
    files = len(scan.articles) + sum(path not in scan.rows for path in scan.changed)  # those that left too
    if len(scan.changed) > max(IN_PLACE_LIMIT, files // IN_PLACE_SHARE):
        return None
    edits = _process_edits(job, cache, run, site, scan, stages)
    if edits is None:
        return None
    with stages.time("plan"):
        try:
            planned = _plan_in_place(settings, job, cache, edits, labels, fingerprints)
        except _NotKept:
            planned = None
    if planned is None:
        return None
    with stages.time("compare"):
        stored = cache.outputs_at(o.path for o in planned.outputs)
        todo = [o for o in planned.outputs if stored.get(o.path) != o.key]
        added = {o.path for o in planned.outputs} - stored.keys()
    stages.count("cached", len(scan.articles) - stages.counted("process"))
    with stages.time("render"):
        _render(settings, site, todo, None)
    stages.count("render", len(todo))
    files, article_count, skips, counted = summary
    article_count += len(edits.added) - len(edits.removed)
    copies = len(edits.now().unlisted())
    with stages.time("commit"):
        site.commit_changes(planned.removed, build_id, settings.workers > 1)
        if added or planned.removed:  # the folders that list other names now
            touched = folders_of(added | planned.removed)
            folders = {f: d for f, d in cache.values("folders").items() if f not in touched}
            folders.update(folder_digests(site.out_dir, touched))
        with cache.transaction():
            cache.set_outputs({o.path: o.key for o in todo}, build_id)
            cache.set_meta("inputs", inputs)
            if added or planned.removed:
                files += len(added) - len(planned.removed)
                cache.forget_outputs(planned.removed)
                cache.put_values("folders", folders)
            if added or planned.removed or copies != counted:  # (a new address or `listed` alone may change it)
                cache.put_blob("summary", (files, article_count, skips, copies))
            if edits.added or edits.removed or _fields_changed(edits, "original_url"):
                cache.put_mapping(ORIGINALS, *_originals_changed(edits))
            cache.set_groups(planned.groups, planned.emptied, planned.regrouped)
            if planned.relations is not edits.relations:
                _store_relations(cache, planned.relations, edits.relations)
            if planned.labels is not labels:
                _store_built(cache, fingerprints.site, planned.labels, [fingerprints.site, labels])
            if planned.sitemap is not None:
                cache.put_mapping("sitemap", *planned.sitemap)
            cache.put_built({p: (a.key, a.slug) for p, a in edits.edited.items()}, edits.built)
            cache.forget_articles(key for key in scan.changed.values() if key)
            scan.keep(cache)
    return _report(settings, range(article_count), skips, stages, files, len(todo), True, True, copies)


class _Edits(NamedTuple):
    """Edited articles that keep their place (see ``edit_in_place``)."""

    edited: dict[str, Entry]
    """source path → the entry now, with the slug the last build gave it
    (or the one its file or sidecar gives now, when that changed)."""
    previous: dict[str, Entry]
    """source path → the entry in the last build, with the slug it gave it."""
    built: dict[str, tuple[str, str]]
    """source path → (cache key, slug) in the last build."""
    relations: RelationState
    """The last build's relation state."""
    added: set[str]
    """The source paths of the articles that came (in ``edited``, not in
    ``previous``)."""
    removed: set[str]
    """The source paths of the articles that left (in ``previous``, with the
    slug the last build gave them, not in ``edited``)."""
    copies: dict[str, tuple[str, ...]] | None = None
    """The groups of copies now (see ``related.copies``), when articles that
    came are copies of others; ``None``: the last build's."""

    def now(self) -> RelationState:
        """The last build's relation state with the groups of copies now:
        what it says of which articles are listed holds now."""
        return self.relations if self.copies is None else self.relations._replace(copies=self.copies)


def _process_edits(job: _Job, cache: Cache, run: Callable, site: StagingSite, scan: _Scan,
                   stages: "_Stages") -> _Edits | None:
    """Process the changed files in the workers (the records go to the cache)
    and, meanwhile, load what the last build made of them; ``None`` unless
    every one keeps its place and the site is as the last build left it."""
    started = time.perf_counter()
    changed = scan.changed  # source path → its key in the last build
    now = {s.rel: s for s in scan.articles if s.rel in changed}
    found = cache.entries([s.key for s in now.values()])  # an edit undone finds its record
    misses = [s for s in now.values() if s.key not in found]
    results = run(partial(_process_one, job), _tasks(cache, job.content_dir, misses))
    # while the workers process the files:
    old = cache.entries([key for key in changed.values() if key])
    built = cache.built(changed)
    kept = _load_relations(cache)
    intact = site.intact(cache.values("folders"))
    for module in ("builder.related", "builder.indexes"):  # what planning in place needs, and index pages
        importlib.import_module(module)
    with cache.transaction():
        for missed, result in zip(misses, results):
            made = _store_processed(cache, stages, missed.key, result)
            found[missed.key] = made if isinstance(made, Skip) else next(Entry.from_rows([made]))
    stages.add_wall("process", time.perf_counter() - started, len(misses))
    if not intact or kept is None:
        return None
    edits = _Edits({}, {}, built, kept, set(), set())
    for path, old_key in changed.items():
        before, after = old.get(old_key), found.get(now[path].key) if path in now else None
        if path not in now:  # a file that left: its slug and relations are checked with the others'
            if not (isinstance(before, Entry) and path in built):
                return None
            edits.previous[path] = before._replace(slug=built[path][1])
            edits.removed.add(path)
            continue
        if not old_key:  # a file that came: its slug and original address are checked with the others'
            if not isinstance(after, Entry) or path in built:
                return None
            edits.edited[path] = after
            edits.added.add(path)
            continue
        if not (isinstance(before, Entry) and isinstance(after, Entry) and path in built):
            return None
        # (``before.slug`` is what the file gave, ``built``'s what the last build made of it)
        edits.edited[path] = after if after.slug != before.slug else after._replace(slug=built[path][1])
        edits.previous[path] = before._replace(slug=built[path][1])
    if (edits.added or edits.removed or _fields_changed(edits, "slug")) and not _slugs_free(cache, edits):
        return None
    if edits.added or edits.removed or _fields_changed(edits, "listed", "original_url"):
        others = _others_kept(cache, edits)
        if others is None:
            return None
        copies, relisted = others
        if relisted:  # their pages, lists and sitemap change as an edit's
            rows = cache.built(relisted)
            entries = cache.entries([key for key, _ in rows.values()])
            for path in relisted:
                entry = entries.get(rows[path][0]) if path in rows else None
                if not isinstance(entry, Entry):
                    return None
                edits.edited[path] = edits.previous[path] = entry._replace(slug=rows[path][1])
                edits.built[path] = rows[path]
        if copies is not kept.copies:
            edits = edits._replace(copies=copies)
    return edits


def _others_kept(cache: Cache, edits: _Edits) -> tuple[dict[str, tuple[str, ...]], set[str]] | None:
    """The groups of copies (see ``related.copies``) after the articles that
    came and left and the edits of ``listed``, and the last build's
    articles, neither edited nor gone, that are listed now and were not, or
    the reverse; ``None`` when those that came and left change other
    articles otherwise.

    A group whose members' ``listed`` was edited is ordered again, with
    none of it gone or come. An article given a new original address
    leaves its group as one that left, and joins the new address's as one
    that came. A copy listed no more must be no article's translation.

    Those that came giving one
    original address that no article of the last build gives are a new
    group of copies (a story a mirror filed under several categories at
    once): the first is a new listed article, the others its copies. When
    an article of the last build gives it, those that came are its copies,
    and must leave the listed copy of its group listed (first as
    ``related.copies`` orders them: by ``listed = true``, then by path);
    none of that group may be edited or gone. When one that came comes
    first, the group's listed copy is listed no more, and must be no
    article's translation.

    Each that left was no article's translation; none of its group of
    copies may be edited. When it was the listed copy of a group
    that keeps members, the first of them is listed now."""
    added = [edits.edited[path] for path in sorted(edits.added)]
    state = edits.relations
    groups = state.copies
    relisted: set[str] = set()
    readdressed = _fields_changed(edits, "original_url")
    leaving = edits.removed | readdressed
    for path in leaving:
        group = groups.get(path)
        if path in edits.removed and state.translations.get(path) or group is not None and any(
                other != path and other in edits.edited for other in group):
            return None
    for group in sorted({groups[path] for path in leaving if path in groups}):  # copies that left their group
        if groups is state.copies:
            groups = dict(groups)
        rest = tuple(path for path in group if path not in leaving)
        for path in group:
            del groups[path]
        if len(rest) > 1:
            groups.update(dict.fromkeys(rest, rest))
        if rest and group[0] in leaving:
            relisted.add(rest[0])
    stored = _StoredEntries(cache, edits.edited)
    for group in sorted({groups[path] for path in _fields_changed(edits, "listed") if path in groups}):
        try:
            stored.load(group)
            after = _ordered([stored.loaded[path] for path in group])
        except _NotKept:
            return None
        if after == group:
            continue  # (its order holds: the groups stay the last build's)
        if after[0] != group[0]:
            if state.translations.get(group[0]):
                return None
            relisted.update(path for path in (group[0], after[0]) if path not in edits.edited)
        if groups is state.copies:
            groups = dict(groups)
        groups.update(dict.fromkeys(after, after))
    came: dict[str, list[Entry]] = defaultdict(list)  # original address → the articles that came giving it
    for article in [*added, *(edits.edited[path] for path in sorted(readdressed))]:
        if article.original_url:
            came[article.original_url].append(article)
    known = cache.mapping_values(ORIGINALS, list(came))
    if known is None:
        return None
    for url, articles in came.items():
        holder = known.get(url)
        if holder is None and len(articles) == 1:
            continue
        try:
            if holder is not None:
                group = state.copies.get(holder, (holder,))
                if any(path in edits.edited or path in edits.removed for path in group):
                    return None
                stored = _StoredEntries(cache, {})
                stored.load(group)
                articles = [*articles, *(stored.loaded[path] for path in group)]
            after = _ordered(articles)
        except _NotKept:
            return None
        if holder is not None and after[0] != group[0]:
            if state.translations.get(group[0]):
                return None
            relisted.add(group[0])
        if groups is state.copies:
            groups = dict(groups)
        groups.update(dict.fromkeys(after, after))
    return groups, relisted


def _slugs_free(cache: Cache, edits: _Edits) -> bool:
    """Whether the articles that came, and those given a new slug, have the
    slug their file or sidecar gives, as a full build gives it (see
    ``resolve_slug_collisions``): no other article has it (nor one given a
    new slug had it in the last build), and no article's slug was made
    from one that the articles that left or were given a new slug free
    (it with a suffix, which a full build would now make without, or
    shorter: see ``_made_from``)."""
    reslugged = _fields_changed(edits, "slug")
    asked = [edits.edited[path].slug.lower() for path in sorted(edits.added | reslugged)]
    if len(set(asked)) < len(asked):
        return False
    taken = {slug.lower() for _, slug in cache.built().values()}
    freed = {edits.previous[path].slug.lower() for path in edits.removed | reslugged}
    return taken.isdisjoint(asked) and not any(_made_from(slug, freed) for slug in taken)


_SUFFIXED = re.compile(r"(.+)-([0-9a-f]{8}(?:[0-9a-f]{4}){0,8})")


def _made_from(slug: str, freed: set[str]) -> bool:
    """Whether ``resolve_slug_collisions`` might have made ``slug`` (lower
    case) longer because a slug of ``freed`` was taken: it is one of them
    with a suffix, or the same with a shorter suffix is one of them."""
    found = _SUFFIXED.fullmatch(slug)
    if found is None:
        return False
    base, suffix = found.groups()
    return base in freed or any(f"{base}-{suffix[:n]}" in freed for n in range(8, len(suffix), 4))


def _fields_changed(edits: _Edits, *fields: str) -> set[str]:
    """The edited articles of the last build whose entry differs in one of
    ``fields`` (a new ``slug`` moves the page, a new ``original_url`` the
    group of copies…)."""
    return {path for path, article in edits.edited.items() if path in edits.previous and any(
        getattr(article, field) != getattr(edits.previous[path], field) for field in fields)}


def _ordered(articles: list[Entry]) -> tuple[str, ...]:
    """The group of copies that ``articles``, which give one original
    address, make: their source paths as ``related.copies`` orders them
    (``_NotKept`` when the stored ones give another address)."""
    from builder.related import copies
    group = copies(articles).get(articles[0].source_path, ())
    if len(group) != len(articles):
        raise _NotKept("the stored copies of an address give another")
    return group


def _originals_changed(edits: _Edits) -> tuple[dict[str, str], set[str]]:
    """What ``ORIGINALS`` maps after the articles that came and left, or
    gave another address (see ``_others_kept``): the addresses they give
    or gave, each to a file that gives it now, and those addresses (the
    ones no file gives now are gone)."""
    readdressed = _fields_changed(edits, "original_url")
    leaving = edits.removed | readdressed
    addresses = {article.original_url: path for path, article in edits.edited.items()
                 if (path in edits.added or path in readdressed) and article.original_url}
    gone = set()
    for path in leaving:
        if url := edits.previous[path].original_url:
            gone.add(url)
            rest = [other for other in edits.relations.copies.get(path, ()) if other not in leaving]
            if rest and url not in addresses:  # a copy that left, whose group keeps others
                addresses[url] = rest[0]
    return addresses, gone | addresses.keys()


class _InPlace(NamedTuple):
    """What an edit in place makes (see ``_plan_in_place``)."""

    outputs: list[Output]
    removed: set[str]
    """The last build's files that are no longer made."""
    groups: dict[str, GroupRecord]
    """The touched groups as they are now, by id."""
    emptied: set[str]
    """The ids of the groups left without members."""
    regrouped: set[str]
    """The ids of the groups whose members changed, or that appeared."""
    relations: RelationState
    """The relation state now (the last build's, the same object, when no
    article changed its tags or countries)."""
    labels: dict[str, tuple[str, str]]
    """The tags' labels and paths now (the same object when unchanged)."""
    sitemap: tuple[dict[str, str], set[str]] | None
    """The pages the sitemap names now (path → ``lastmod``) and those that
    came, left or changed, when some did."""


def _plan_in_place(settings: Settings, job: _Job, cache: Cache, edits: _Edits, labels: dict[str, tuple[str, str]],
                   fingerprints: PageFingerprints) -> _InPlace | None:
    """What an edit in place makes and removes (see ``edit_in_place``);
    ``None`` when an edit changes an article's translations or another
    tag's or source's path, or the cache lacks what the last build kept.
    An edited copy that is not listed (see ``related.copies``) is in no group, no
    relation's keys and not in the sitemap: only its page and those naming
    it change. So do only the other copies' pages when such a copy comes or
    leaves. An article listed now that was not (``_others_kept``: in
    ``edited`` and ``previous`` alike) joins its groups and relations as
    one that came, and one listed no more leaves them as one that left."""
    from builder import related as rel
    from builder.indexes import HOME, IndexPlanner, labels_after, sitemap_outputs, touched_groups
    from builder.render import Renderer, article_path
    from builder.sitemap import sitemap_paths
    edited, previous, state, removed = edits.edited, edits.previous, edits.relations, edits.removed
    now = edits.now()  # (see _others_kept)
    listed = {path: article for path, article in edited.items() if now.listed(path)}
    # the listed articles that left their groups (the copies not listed were in none)
    left = {path for path in removed if state.listed(path)}
    left.update(path for path in edited if path in previous and state.listed(path) and not now.listed(path))
    if any(state.translations.get(path) for path in left):
        return None  # (its translations would list it no more)
    entries = _StoredEntries(cache, edited)
    groups_now = {path: touched_groups([article]) if path in listed else set() for path, article in edited.items()}
    groups_now.update(dict.fromkeys(left, set()))
    moved = {path for path in listed if path in edits.added or not state.listed(path)
             or groups_now[path] != touched_groups([previous[path]])}
    moved |= left
    keys_of = rel.keys_after(state, listed) if moved else state.keys
    if left:
        keys_of = {path: keys for path, keys in keys_of.items() if path not in left}
    with_countries = _with_countries(keys_of)
    if not all(_same_translations(path, previous.get(path) if state.listed(path) else None, article,
                                  with_countries, state.translations, entries)
               for path, article in listed.items()):
        return None
    held = rel.key_holders(keys_of) if moved else None
    sizes = {key: len(paths) for key, paths in held.items()} if moved else None  # listed articles of each key
    came, went = _keys_crossing(state.keys, keys_of, moved, sizes) if moved else (set(), set())
    relinked = _copies_relinked(state, came ^ went, entries) - removed if state.copies else set()
    if any(key[:2] == "t:" for key in came | went):
        labels = labels_after(labels, {key[2:] for key in came if key[:2] == "t:"},
                              {key[2:] for key in went if key[:2] == "t:"}, settings)
        if labels is None:
            return None  # another tag's path might change (their slugs collide)
    before = [previous[path] for path in [*listed, *left] if path in previous and state.listed(path)]
    touched = sorted(touched_groups([*listed.values(), *before])) if listed or left else []
    stored = {(g.folder, g.key): (i, g) for i, g in cache.groups_of(touched).items()}
    appearing = set(touched) - touched_groups(before)
    if any(facet not in stored and facet not in appearing for facet in touched):
        return None  # (the cache lacks a group of the last build)
    new_sources = {key for folder, key in touched if folder == "sources" and (folder, key) not in stored}
    sources = _source_paths(cache, new_sources, set()) if new_sources else {}
    if sources is None:
        return None  # a new source's page would move another's (their slugs collide)
    # Articles that came or left change every relation's weight: all are
    # scored again (0.8 s at 29k), in a child while the groups are planned;
    # what comes back is the few relations that changed.
    relating = processes.Apart(partial(_relations_changed, state, keys_of, held, now.copies), dict,
                               settings.workers > 1 and keys_of.keys() != state.keys.keys()
                               and len(keys_of) >= RELATE_APART) if moved else None
    try:
        renderer = Renderer(settings)
        bodies = _bodies(job.cache_path)
        planner = IndexPlanner(settings, renderer, fingerprints, entries.keys,
                               lambda article: bodies.read(article.key))
        dated = _fields_changed(edits, "date") & listed.keys()
        outputs: list[Output] = []
        made = _InPlace(outputs, set(), {}, set(), set(), edits.relations, labels, None)
        added, resized = set(), set()
        changed, joining = set(groups_now), {}  # facet → the changed articles it holds now
        for path, facets in groups_now.items():
            for facet in facets:
                joining.setdefault(facet, set()).add(path)
        for facet in touched:
            group, record = stored.get(facet) or _new_group(facet, labels, renderer, sources)
            change = _group_in_place(planner, record, edited, previous, dated, changed,
                                     joining.get(facet, set()), entries)
            outputs += change.outputs
            added |= change.added
            made.removed.update(change.removed)
            if change.members is None:
                made.emptied.add(group)
            else:
                made.groups[group] = change.members
                if change.members.members != record.members:
                    made.regrouped.add(group)
            if change.resized:
                resized.add(record.folder)
        emptied = {record.key for i, record in stored.values() if i in made.emptied and record.folder == "sources"}
        if emptied:
            kept = _source_paths(cache, new_sources, emptied)
            if kept is None or any(kept[key] != sources[key] for key in new_sources):
                return None  # another source's page would move (see indexes.source_paths)
        after = state
        if relating or edits.copies is not None:
            result = {path: found for path, found in state.result.items() if path not in removed}
            if relating:
                result.update(relating.result())
                after = state._replace(keys=keys_of, result=result)
            else:  # copies that came or left: their groups' relations
                result.update(_relations_changed(state, keys_of, None, now.copies))
                after = state._replace(result=result)
        if edits.copies is not None:
            after = after._replace(copies=now.copies)
        outputs += _pages_in_place(settings, job, edits, after, labels, fingerprints.templates["article.html"], entries,
                                   relinked)
        made = made._replace(relations=after)
        raw_copies = {previous[path].raw_url for path in removed}  # (not in the sitemap, .html or not)
        moved_pages = removed | _fields_changed(edits, "slug")  # (the page at a new slug is made with the others)
        made.removed.update(article_path(previous[path]) for path in moved_pages)  # their old pages
        made.removed.update(raw_copies)
        # a group that empties and one that appears may share paths (tags whose slugs are the same)
        made.removed.difference_update(o.path for o in outputs)
        if resized - {HOME}:  # (languages and sources: when articles came, left or moved between them)
            outputs += _facet_indexes(renderer, fingerprints.templates["index_list.html"], sorted(resized - {HOME}),
                                      sizes, labels, cache, made.groups,
                                      {f for f, (i, _) in stored.items() if i in made.emptied})
        unlisted = {article_path(previous[path]) for path in moved_pages if not state.listed(path)}
        sitemap = _sitemap_in_place(cache, edits, added, made.removed - raw_copies - unlisted)
        if sitemap is False:
            return None
        if sitemap is not None:
            pages, old_count, changed = sitemap
            outputs += sitemap_outputs(fingerprints.plain, planner.root_url, list(pages.items()))
            made.removed.update(set(sitemap_paths(old_count)) - set(sitemap_paths(len(pages))))
            made = made._replace(sitemap=(pages, changed))
        return made
    finally:
        if relating:
            relating.stop()  # (when its result was not asked for)


def _relations_changed(state: RelationState, keys_of: dict[str, tuple[str, ...]],
                       held: dict[str, list[str]] | None, copies: dict[str, tuple[str, ...]]
                       ) -> dict[str, tuple[tuple[str, str], ...]]:
    """The relations ``related.relations_after`` gives, with the groups of
    ``copies``, that differ from ``state``'s (those of the articles that
    came included): all an edit in place needs of them besides the keys and
    copies, which it has, and the translations, which it keeps."""
    from builder import related
    after = related.relations_after(state, keys_of, held, copies)
    return {path: found for path, found in after.result.items() if state.result.get(path) != found}


def _pages_in_place(settings: Settings, job: _Job, edits: _Edits, state: RelationState,
                    labels: dict[str, tuple[str, str]], fingerprint: str,
                    entries: _StoredEntries, relinked: set[str]) -> list[Output]:
    """The article pages and raw copies an edit in place makes: of the edited
    articles, of those whose relations changed (``state``: the relations
    now), of those that name an edited article as related when its title,
    language or slug changed (see ``Related.shown``), and of the ``relinked``
    copies."""
    from builder.related import Related
    edited, before, relations = edits.edited, edits.relations.result, state.result
    retitled = _fields_changed(edits, "title", "language", "slug")
    pages = set(edited) | relinked
    pages.update(path for path, found in relations.items() if path not in pages and (
        found != before[path] or retitled and any(other in retitled for _, other in found)))
    pages = sorted(pages)
    entries.load([*pages, *(other for path in pages for _, other in relations[path])])
    related = Related({path: relations[path] for path in pages}, entries.loaded)
    outputs = []
    content = str(settings.path("content_dir"))
    country_pages = _country_pages(state) if any(not state.listed(path) for path in pages) else set()
    for path in pages:
        article = entries.loaded[path]
        unlinked = _unlinked_countries(article, state, country_pages)
        key = _article_key(fingerprint, article, related, labels, unlinked)
        outputs += _article_outputs(settings, job, content, article, key, related, labels, unlinked)
    return outputs


def _keys_crossing(before: dict[str, tuple[str, ...]], now: dict[str, tuple[str, ...]], paths: Iterable[str],
                   sizes: dict[str, int]) -> tuple[set[str], set[str]]:
    """The relation keys (tags and countries, see ``related.RelationState``)
    that no listed article held before and some hold now, and the reverse,
    when only the listed articles at ``paths`` changed their keys or left
    (``sizes``: how many listed articles hold each key now)."""
    change: Counter = Counter()
    for path in paths:
        change.update(before.get(path, ()))
        change.subtract(now.get(path, ()))  # (none: the article left)
    came = {key for key, n in change.items() if n < 0 and sizes.get(key, 0) == -n}
    went = {key for key, n in change.items() if n > 0 and key not in sizes}
    return came, went


def _copies_relinked(state: RelationState, keys: set[str], entries: _StoredEntries) -> set[str]:
    """The unlisted copies (see ``related.copies``) that name a tag or a
    country whose page appears or goes (``keys``: their relation keys), and
    so link it now or no more. Only their tags and countries decide it:
    their entries are loaded only when a page comes or goes."""
    if not keys:
        return set()
    tags = {key[2:] for key in keys if key[:2] == "t:"}
    countries = {key[2:] for key in keys if key[:2] == "c:"}
    unlisted = state.unlisted()
    entries.load(unlisted)
    return {path for path in unlisted if not tags.isdisjoint(entries.loaded[path].tags)
            or any(code in countries for code, _ in entries.loaded[path].countries)}


def _new_group(facet: tuple[str, str], labels: dict[str, tuple[str, str]], renderer, sources: dict[str, str]
               ) -> tuple[str, GroupRecord]:
    """The id and empty record of a group that appears (``sources``: the
    first page of each source's group now, see ``_source_paths``)."""
    from builder.indexes import Group, group_id, language_label, language_path
    from builder.render import country_path
    folder, key = facet
    label, path = {"tags": lambda: labels[key],
                   "countries": lambda: (renderer.country_label(key), country_path(key)),
                   "languages": lambda: (language_label(renderer, key), language_path(key)),
                   "sources": lambda: (key, sources[key])}[folder]()
    return group_id(folder, Group(key, label, path, ())), GroupRecord("", (), folder, key, label, path, ())


def _source_paths(cache: Cache, came: set[str], went: set[str]) -> dict[str, str] | None:
    """The first page of each source's group once the sources that
    ``came`` have groups and those that ``went`` have none, when every
    other source's stays where it was (see ``indexes.source_paths``: a
    source that takes a slug another had, or frees one another's was made
    from, moves it); ``None`` otherwise."""
    from builder.indexes import source_paths
    stored = {group.key: group.path for group in cache.groups_in("sources")}
    paths = source_paths((stored.keys() - went) | came)
    return paths if all(paths[key] == path for key, path in stored.items() if key not in went) else None


class _GroupChange(NamedTuple):
    """What an edit in place makes of one group (see ``_group_in_place``)."""

    outputs: list[Output]
    members: GroupRecord | None
    """The group now (``None``: left empty)."""
    added: set[str]
    removed: set[str]
    resized: bool


def _group_in_place(planner, record: GroupRecord, edited: dict[str, Entry], previous: dict[str, Entry],
                    dated: set[str], changed: set[str], joined: set[str],
                    entries: _StoredEntries) -> _GroupChange:
    """The outputs of one group (the last build's ``record``) that edits in
    place change (``edited``: the articles now, ``previous``: as the last
    build had them, ``changed``: the paths of both, those that left the
    archive included, ``joined``: those of them the group holds now).
    Articles that join or leave it, or that it holds with
    a new date (``dated``), are taken out and put back at their place (a
    group is ordered by date and source path only). Then its pages are
    laid out as they were and as they are now, from the members' paths and
    how many of them have a date (``indexes.pages_changed``): only the
    pages that differ are planned, pages it no longer has are removed, and
    new ones added."""
    from builder.indexes import HOME, Group, dated_count, pages_changed
    old = record.members
    had = set(old) & changed  # (a set's intersection walks the smaller one)
    moving = had ^ joined | had & dated
    paths = [path for path in old if path not in moving] if moving else list(old)
    for path in sorted(moving & joined):
        _insert_member(paths, path, entries)
    stored = dict(record.outputs)
    if not paths:
        return _GroupChange([], None, set(), set(stored), True)
    members = _StoredMembers(paths, entries)
    dated_now = dated_count(members)
    # how many had a date in the last build: those now, less the edited
    # members' dates now, plus the edited (or gone) members' dates then
    dated_before = (dated_now - sum(edited[path].date is not None for path in joined)
                    + sum(previous[path].date is not None for path in had))
    near, gone = pages_changed(record.folder, record.path, planner.settings.items_per_page, old, dated_before,
                               paths, dated_now, edited.keys())
    outputs = (planner.home(members, near) if record.folder == HOME
               else planner.group(record.folder, Group(record.key, record.label, record.path, members), near))
    made = {o.path: o.key for o in outputs}
    keys = {**{path: key for path, key in stored.items() if path not in gone}, **made}
    # inputs unknown: hashed again when the full plan next touches it
    now = record._replace(inputs="", outputs=tuple(keys.items()), members=tuple(paths))
    return _GroupChange(outputs, now, made.keys() - stored.keys(), stored.keys() - keys.keys(),
                        len(paths) != len(old))


def _facet_indexes(renderer, fingerprint: str, folders: Iterable[str], sizes: Counter,
                   labels: dict[str, tuple[str, str]], cache: Cache, touched: dict[str, GroupRecord],
                   emptied: set[tuple[str, str]]) -> list[Output]:
    """The index pages of ``folders``: of tags or countries from the number
    of articles holding each relation key (``sizes``: one per tag and
    country, see ``related.RelationState``); of languages or sources
    from the stored groups, the ``touched`` ones as they are now (those
    that appeared too), without the ``emptied`` ones ((folder, key))."""
    from builder.indexes import facet_index
    from builder.render import country_path

    def stored(folder: str) -> list[tuple[str, str, str, int]]:
        now = {g.key: g for g in touched.values() if g.folder == folder}
        kept = [now.pop(g.key, g) for g in cache.groups_in(folder) if (folder, g.key) not in emptied]
        return [(g.key, g.label, g.path, len(g.members)) for g in [*kept, *now.values()]]

    groups = {"tags": lambda: [(tag, label, path, sizes[f"t:{tag}"]) for tag, (label, path) in labels.items()],
              "countries": lambda: [(key[2:], renderer.country_label(key[2:]), country_path(key[2:]), n)
                                    for key, n in sizes.items() if key[:2] == "c:"],
              "languages": lambda: stored("languages"), "sources": lambda: stored("sources")}
    return [facet_index(renderer, fingerprint, folder, renderer.labels[f"{folder}.title"], groups[folder]())
            for folder in folders]


def _sitemap_in_place(cache: Cache, edits: _Edits, added: set[str], removed: set[str]
                      ) -> tuple[dict[str, str], int, set[str]] | None | bool:
    """The pages the sitemap names after an edit in place (path →
    ``lastmod``), how many it named before and the paths that came, left
    or changed, from the pages the last build kept; ``None`` when they are
    the same, ``False`` when the cache does not hold them (or holds others)."""
    from builder.indexes import in_sitemap
    from builder.render import article_path
    from builder.sitemap import lastmod
    now, was = edits.now(), edits.relations  # (a copy that came is not listed: see _others_kept)
    modified = {article_path(article): lastmod(article.date) for path, article in edits.edited.items()
                if now.listed(path) and (path in edits.added or not was.listed(path)
                                         or lastmod(article.date) != lastmod(edits.previous[path].date)
                                         or article.slug != edits.previous[path].slug)}
    gone = {path for path in removed if in_sitemap(path)}
    gone.update(article_path(edits.previous[path]) for path in edits.edited
                if path in edits.previous and was.listed(path) and not now.listed(path))
    new = {path for path in added if in_sitemap(path)}
    if not (modified or gone or new):
        return None
    pages = cache.mapping("sitemap")
    if pages is None or not gone <= pages.keys():
        return False
    count = len(pages)
    for path in gone:
        del pages[path]
    pages.update(dict.fromkeys(new, ""))
    pages.update(modified)
    return pages, count, gone | new | modified.keys()


def _insert_member(paths: list[str], path: str, entries: "_StoredEntries") -> None:
    """Insert ``path`` among a group's members (``paths``, newest first) at
    its place, loading only the entries a binary search looks at."""
    from builder.indexes import comes_before
    article, members = entries.loaded[path], _StoredMembers(paths, entries)
    low, high = 0, len(paths)
    while low < high:
        middle = (low + high) // 2
        if comes_before(members[middle], article):
            low = middle + 1
        else:
            high = middle
    paths.insert(low, path)


def _same_translations(path: str, before: Entry | None, after: Entry,
                       with_countries: Callable[[frozenset[str]], list[str]],
                       translations: dict[str, tuple[str, ...]], entries: "_StoredEntries") -> bool:
    """Whether the article at ``path``, edited from ``before`` to ``after``
    (``None``: it came), is the translation of the same articles as in the
    last build (``translations``). A translation names the same three
    countries or more: the candidates are the articles with exactly its
    countries (``with_countries``, see ``_with_countries``). One that has
    translations keeps its language: the others list theirs by language."""
    from builder.related import is_translation
    codes = {c for c, _ in after.countries}
    if before is not None and before.language != after.language and translations.get(path):
        return False
    if before is not None and codes == {c for c, _ in before.countries} and before.language == after.language and (
            len(codes) < 3 or (before.signature, before.date) == (after.signature, after.date)):
        return True
    found = set()
    if len(codes) >= 3:
        candidates = sorted(other for other in with_countries(frozenset(f"c:{c}" for c in codes)) if other != path)
        entries.load(candidates)
        found = {other for other in candidates if is_translation(after, entries.loaded[other])}
    return found == set(translations.get(path, ()))


def _with_countries(keys_of: dict[str, tuple[str, ...]]) -> Callable[[frozenset[str]], list[str]]:
    """What gives the articles whose relation keys (``keys_of``) name
    exactly the countries of a set of country keys, each once. Its index of
    the archive is made when first asked: looking through every article's
    keys for each article that came took 7.2 s of the 9.3 s of planning
    1,000 of them in place at 29k (under the profiler)."""
    index: dict[tuple[frozenset[str], int], list[str]] = {}

    def with_countries(wanted: frozenset[str]) -> list[str]:
        if not index:
            for other, keys in keys_of.items():
                countries = [key for key in keys if key.startswith("c:")]
                index.setdefault((frozenset(countries), len(countries)), []).append(other)
        return index.get((wanted, len(wanted)), [])
    return with_countries


class _NotKept(Exception):
    """The cache lacks something of the last build an edit in place needs."""


class _StoredEntries:
    """The entries of the last build's articles, loaded from the cache when
    first asked for, with the ``edited`` ones as they are now."""

    def __init__(self, cache: Cache, edited: dict[str, Entry]):
        from builder.indexes import list_key
        self._cache = cache
        self._list_key = list_key
        self.loaded: dict[str, Entry] = dict(edited)
        self.keys = {path: list_key(a) for path, a in edited.items()}
        """source path → ``indexes.list_key`` of every entry loaded."""

    def load(self, paths: Iterable[str]) -> None:
        missing = list(dict.fromkeys(p for p in paths if p not in self.loaded))
        built = self._cache.built(missing)
        found = self._cache.entries([key for key, _ in built.values()])
        if len(built) != len(missing) or not all(isinstance(found.get(key), Entry) for key, _ in built.values()):
            raise _NotKept("an entry of the last build is gone from the cache")
        for path, (key, slug) in built.items():
            entry = found[key]._replace(slug=slug)
            self.loaded[path] = entry
            self.keys[path] = self._list_key(entry)


class _StoredMembers(Sequence):
    """A stored group's members, newest first, as entries loaded when first
    asked for: a hundred at a time when they are read in order (a page's),
    one at a time otherwise (a binary search's)."""

    def __init__(self, paths: Sequence[str], entries: _StoredEntries):
        self._paths = paths
        self._entries = entries
        self._last = -2

    def __len__(self) -> int:
        return len(self._paths)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._paths)))]
        path = self._paths[index]
        start = index % len(self._paths)
        if path not in self._entries.loaded:
            self._entries.load(self._paths[start:start + 100] if start == self._last + 1 else [path])
        self._last = start
        return self._entries.loaded[path]


