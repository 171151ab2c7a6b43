"""Every file of the ANT corpus v2.1 (31,525 TREC-style files) through parse_document.

The expected values come from an independent reader written here: one regex per tag on the raw
UTF-8 text, the five XML entities resolved, and the RFC-822 TIME converted to UTC with
``email.utils.parsedate_to_datetime`` (not the project's date parser). Reads ../shared in place.
"""

import re
from datetime import timezone
from email.utils import parsedate_to_datetime
from xml.sax.saxutils import unescape

from tests.conftest import shared_path
from news_assets.text.parsing import RejectedDocument, parse_document

ANT_FILES = 31_525
_TAG = {t: re.compile(rf"<{t}>(.*?)</{t}>", re.DOTALL) for t in ("TITLE", "SRC", "URL", "TIME")}
_XML_ENTITIES = {"&quot;": '"', "&apos;": "'"}  # unescape() itself does &amp; &lt; &gt;


def raw_tag(text: str, tag: str) -> str | None:
    """The tag's stripped content, or None when the tag is absent or empty."""
    m = _TAG[tag].search(text)
    if m is None:
        return None
    return unescape(m.group(1), _XML_ENTITIES).strip() or None


def test_every_ant_file_parses_and_matches_its_tags():
    root = shared_path("corpora", "ant-v2.1")
    files = sorted(root.glob("*/*/*.txt"))
    assert len(files) == ANT_FILES

    rejected: list[str] = []
    mismatches: list[str] = []
    checked = {"TITLE": 0, "SRC": 0, "URL": 0, "TIME": 0}
    for path in files:
        data = path.read_bytes()
        try:
            doc = parse_document(data, str(path))
        except RejectedDocument as exc:
            rejected.append(f"{path.name}: {exc}")
            continue
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
        if doc.format != "trec" or len(doc.articles) != 1:
            mismatches.append(f"{path.name}: format {doc.format}, {len(doc.articles)} article(s)")
            continue
        art = doc.articles[0]
        title, src, url, when = (raw_tag(text, t) for t in ("TITLE", "SRC", "URL", "TIME"))
        expected_time = parsedate_to_datetime(when).astimezone(timezone.utc) if when else None
        for tag, want, got in (
            ("TITLE", title, art.title),
            ("SRC", src, art.source),
            ("URL", url, art.url),
            ("TIME", expected_time, art.published_at),
        ):
            if want is None:
                continue
            checked[tag] += 1
            if got != want:
                mismatches.append(f"{path.name}: {tag} {got!r} != {want!r}")

    assert not rejected, f"{len(rejected)} rejected, e.g. {rejected[:5]}"
    assert not mismatches, f"{len(mismatches)} mismatches, e.g. {mismatches[:10]}"
    # every ANT file carries these four tags with a value
    assert checked == dict.fromkeys(checked, ANT_FILES), checked
