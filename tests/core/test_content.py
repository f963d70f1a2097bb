"""Tests for forum.core.content: an XSS corpus plus "still useful" checks.

The allow-lists below are written out independently of the module on
purpose: loosening the sanitiser must make these tests fail.
"""

from __future__ import annotations

import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from html.parser import HTMLParser

import pytest

from forum.core.content import is_safe_href, render_markdown, render_plain, sanitize_html

ALLOWED_TAGS = set(
    "p br strong em b i ul ol li blockquote code pre h3 h4 h5 h6 a"
    " table thead tbody tr th td hr del ins abbr".split()
)
ALLOWED_ATTRS = {
    "a": {"href", "title", "rel"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
VOID = {"br", "hr"}


class Collector(HTMLParser):
    """Records every element, attribute, text run and comment of a fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.texts: list[tuple[tuple[str, ...], str]] = []
        self.other: list[str] = []  # comments, doctypes, processing instructions

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        self.texts.append((tuple(self.stack), data))

    def handle_comment(self, data):
        self.other.append("comment:" + data)

    def handle_decl(self, decl):
        self.other.append("decl:" + decl)

    def handle_pi(self, data):
        self.other.append("pi:" + data)

    def unknown_decl(self, data):
        self.other.append("unknown:" + data)

    def tags(self) -> list[str]:
        return [tag for tag, _ in self.elements]

    def hrefs(self) -> list[str]:
        return [a["href"] or "" for tag, a in self.elements if "href" in a]

    def text(self) -> str:
        return "".join(data for _, data in self.texts)


def parse(fragment: str) -> Collector:
    collector = Collector()
    collector.feed(fragment)
    collector.close()
    return collector


def href_key(href: str) -> str:
    """The href as a lenient browser might read it (stricter than one pass)."""
    for _ in range(5):
        href = unescape(href)
    return "".join(
        ch for ch in href if not ch.isspace() and unicodedata.category(ch)[0] not in "CZ"
    ).lower()


def href_is_safe(href: str) -> bool:
    key = href_key(href)
    if key.startswith(("javascript:", "data:", "vbscript:")):
        return False
    if key.startswith(("http:", "https:", "mailto:", "#", "/", "?", ".")):
        return True
    # relative only if no scheme-like "name:" before the first / ? #
    return ":" not in re.split(r"[/?#]", key, maxsplit=1)[0]


ZW = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060"]
ENT_DEC7 = "".join(f"&#{ord(c):07d}" for c in "javascript:alert(1)")
ENT_HEX = "".join(f"&#x{ord(c):X}" for c in "javascript:alert(1)")

XSS = [
    # script tags in many spellings
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt >alert(1)</sCrIpT >",
    "<script\n>alert(1)</script\n>",
    '<script src="https://evil.example/x.js"></script>',
    '<script/xss src="https://evil.example/x.js"></script>',
    "<<script>script>alert(1)//<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script>alert(1)",
    "\x00<script>alert(1)</script>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "texto <script type='text/javascript'>alert(document.cookie)</script> más",
    # images and event handlers
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    f'<img src=x onerror="{ENT_DEC7}">',
    '<img """><script>alert("XSS")</script>">',
    "<img src=`javascript:alert(1)`>",
    "<p onmouseover=alert(1)>hola</p>",
    "<b onclick=alert(1)>x</b>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>x</details>",
    "<body onload=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<x onclick=alert(1)>click</x>",
    '<a href="https://example.org/" onmouseover="alert(1)">ok</a>',
    "**bold** <img src=x onerror=alert(1)> [ok](https://example.org)",
    # svg / math / xlink
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)//",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<math href="javascript:alert(1)">CLICKME</math>',
    # frames, objects, embeds, meta, base, link
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<frameset onload=alert(1)><frame src="javascript:alert(1)">',
    '<object data="javascript:alert(1)"></object>',
    "<object><param name=src value=javascript:alert(1)></object>",
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<applet code="javascript:alert(1)"></applet>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<xmp><script>alert(1)</script></xmp>",
    "<textarea><script>alert(1)</script></textarea>",
    # styles
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    "<STYLE>@import 'https://evil.example/x.css';</STYLE>",
    '<a href="#" style="color:red">x</a>',
    # forms
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<isindex type=image src=1 onerror=alert(1)>",
    # Markdown links: inline, reference, autolink, images
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    '[x](javascript:alert(1) "title")',
    "[x](<javascript:alert(1)>)",
    "[x](javascript:alert&#40;1&#41;)",
    "[x][1]\n\n[1]: javascript:alert(1)",
    '[x][a]\n\n[a]: <javascript:alert(1)> "t"',
    "[x]\n\n[x]: JAVASCRIPT:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://example.org/a.png)',
    "![x][img]\n\n[img]: javascript:alert(1)",
    "[![x](javascript:alert(1))](javascript:alert(2))",
    # entity-encoded schemes
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](&#0000106avascript:alert(1))",
    f'<a href="{ENT_DEC7}">x</a>',
    f'<a href="{ENT_HEX}">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="jav&#x0D;ascript:alert(1)">x</a>',
    '<a href="&#x20;javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="&amp;#106;avascript:alert(1)">x</a>',
    # whitespace / control / zero-width inside or before the scheme
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="javas\tcript:alert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    *[f"[x](java{zw}script:alert(1))" for zw in ZW],
    *[f'<a href="{zw}javascript:alert(1)">x</a>' for zw in ZW],
    # data: and vbscript:
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "[x](vbscript:msgbox(1))",
    '<a href="VBSCRIPT:alert(1)">x</a>',
    # attribute quoting tricks
    "<a href=javascript:alert(1)>x</a>",
    "<a href='javascript:alert(1)'>x</a>",
    "<a href=`javascript:alert(1)`>x</a>",
    '<a/href="javascript:alert(1)">x</a>',
    '<a href="https://example.org" title=\'"><script>alert(1)</script>\'>y</a>',
    '<a href="javascript:alert(1)" onclick="alert(1)">x</a>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    # comments and unclosed tags
    "<!--<script>alert(1)</script>-->",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<!-- --!><script>alert(1)</script> -->",
    "<a href='javascript:alert(1)'",
    "<b><i><script>alert(1)",
    # misnesting that makes html5lib build trees which re-parse differently
    ">- uno<math><style>x</style>[x](javascript:alert&#40;1&#41;)<table><li><th>",
    '<a href="https://x.org"><table><hr><a href=\'javascript:alert(1)\'<iframe src="x"></iframe>',
    "&</p><a href='x'<a href='y'<table><a/href=\"javascript:alert(1)\">x</a>",
    "<ul><li>a<svg><li>b</svg></ul><a href=x><a href=javascript:alert(1)>c</a></a>",
    # inside Markdown code: must stay inert text
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
]


def _ids() -> list[str]:
    return [f"xss{i:03d}" for i in range(len(XSS))]


def test_corpus_is_big_enough():
    assert len(XSS) >= 45


@pytest.mark.parametrize("payload", XSS, ids=_ids())
def test_xss_payload_is_neutralised(payload):
    out = render_markdown(payload)
    doc = parse(out)

    assert set(doc.tags()) <= ALLOWED_TAGS, out
    assert doc.other == [], out
    for tag, attrs in doc.elements:
        for name in attrs:
            assert not name.startswith("on"), out
            assert name not in {"style", "formaction", "srcdoc", "src", "target"}, out
            assert name in ALLOWED_ATTRS.get(tag, set()), (tag, name, out)
    for href in doc.hrefs():
        assert href_is_safe(href), (href, out)
    # no script-capable element survives, so "alert(" may only be inert text
    for stack, data in doc.texts:
        if "alert(" in data:
            assert set(stack) <= ALLOWED_TAGS, out
    assert "<script" not in out.lower()
    # idempotence on every output
    assert sanitize_html(out) == out
    assert sanitize_html(sanitize_html(payload)) == sanitize_html(payload)


@pytest.mark.parametrize("payload", XSS, ids=_ids())
def test_sanitize_html_alone_is_safe(payload):
    doc = parse(sanitize_html(payload))
    assert set(doc.tags()) <= ALLOWED_TAGS
    assert all(href_is_safe(h) for h in doc.hrefs())


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "&#0000106avascript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "javascript&colon;alert(1)",
        " \x01javascript:alert(1)",
        *[f"java{zw}script:alert(1)" for zw in ZW],
        *[f"{zw}javascript:alert(1)" for zw in ZW],
        "data:text/html,x",
        "vbscript:x",
        "file:///etc/passwd",
        "http://[broken",
    ],
)
def test_is_safe_href_rejects(href):
    assert is_safe_href(href) is False


@pytest.mark.parametrize(
    "href",
    ["https://example.org/a?b=1#c", "HTTP://x.org", "mailto:a@b.org", "#x", "/x", "a/b:c", ""],
)
def test_is_safe_href_accepts(href):
    assert is_safe_href(href) is True


def test_control_characters_are_removed():
    out = render_markdown("a\x00b\x01c\x1bd\x7fe `f\x08g`")
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", out)
    assert "abcde" in out and "<code>fg</code>" in out


def test_href_checker_of_this_test_is_not_blind():
    # guards the guard: the helper must flag what the sanitiser must remove
    for bad in [
        "javascript:x",
        "&#106;avascript:x",
        "java\u200bscript:x",
        "jav&#x09;ascript:x",
        "&amp;#106;avascript:x",
        "DATA:text/html,x",
        " vbscript:x",
        "\x01javascript:x",
    ]:
        assert not href_is_safe(bad), bad
    for good in ["https://a.org", "http://a.org", "mailto:a@b.org", "#x", "/x", "x/y:z"]:
        assert href_is_safe(good), good


# ---------------------------------------------------------------- positives

SPANISH = """\
# Reunión de la comunidad

La **asamblea** de Taraco será el _sábado_ a las 10, en el salón de Ñuñoa.

- Llevar documentos
- Pagar la cuota del año

1. Primero
2. Después

> Lo que se acordó el año pasado.

Más información en [Municipio de Taraco](https://example.org/taraco).

| Día | Hora |
|:----|-----:|
| Lunes | 10:00 |

```python
print("ñandú")
```

---
"""


def test_spanish_markdown_keeps_structure():
    out = render_markdown(SPANISH)
    tags = set(parse(out).tags())
    for tag in [
        "h3",
        "p",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "pre",
        "code",
        "hr",
    ]:
        assert tag in tags, (tag, out)
    assert "Reunión" in out and "sábado" in out and "Ñuñoa" in out and "ñandú" in out
    assert "print(&quot;ñandú&quot;)" in out or 'print("ñandú")' in out


def test_link_is_kept_with_rel():
    doc = parse(render_markdown("Ver [Municipio de Taraco](https://example.org/taraco)."))
    ((tag, attrs),) = [e for e in doc.elements if e[0] == "a"]
    assert attrs["href"] == "https://example.org/taraco"
    assert {"nofollow", "ugc", "noopener"} <= set(attrs["rel"].split())
    assert "target" not in attrs
    assert "Municipio de Taraco" in doc.text()


def test_existing_target_and_rel_are_replaced():
    out = render_markdown('<a href="https://example.org" target="_blank" rel="follow">x</a>')
    attrs = dict(parse(out).elements)["a"]
    assert attrs["href"] == "https://example.org"
    assert "target" not in attrs
    assert attrs["rel"] == "nofollow ugc noopener"


def test_bare_urls_are_linkified_but_not_in_code():
    out = render_markdown("Visita https://example.org/x hoy.\n\n    https://example.org/code\n")
    links = [a for t, a in parse(out).elements if t == "a"]
    assert [a["href"] for a in links] == ["https://example.org/x"]
    assert "nofollow" in links[0]["rel"]
    assert "https://example.org/code" in out
    assert render_markdown("archivo.py y datos.csv") == "<p>archivo.py y datos.csv</p>"


def test_autolinks_stop_before_brackets_and_trailing_punctuation():
    out = render_markdown(
        "Ver www.example.org], (https://example.org/a_(b)) y https://example.org."
    )
    assert parse(out).hrefs() == [
        "http://www.example.org",
        "https://example.org/a_(b)",
        "https://example.org",
    ]


def test_mailto_relative_and_fragment_links_survive():
    out = render_markdown("[correo](mailto:junta@example.org) [r](/reglamento) [arriba](#inicio)")
    assert parse(out).hrefs() == ["mailto:junta@example.org", "/reglamento", "#inicio"]


def test_dangerous_link_keeps_text_but_loses_href():
    doc = parse(render_markdown("[pulsa aquí](javascript:alert(1))"))
    assert "pulsa aquí" in doc.text()
    assert doc.hrefs() == []


def test_raw_allowed_inline_html_is_kept():
    out = render_markdown("Decimos <b>hola</b> y <del>adiós</del>.")
    assert "<b>hola</b>" in out and "<del>adiós</del>" in out


def test_raw_disallowed_html_is_stripped_keeping_text():
    out = render_markdown('<span class="x">hola</span> <div>mundo</div> <h1>grande</h1>')
    tags = parse(out).tags()
    assert not {"span", "div", "h1"} & set(tags)
    assert "hola" in out and "mundo" in out and "grande" in out


@pytest.mark.parametrize(
    "element",
    ["script", "style", "iframe", "svg", "math", "object", "template", "noscript", "SCRIPT"],
)
def test_script_like_content_disappears(element):
    out = render_markdown(f"<{element}>robar()</{element}>texto")
    assert "texto" in out
    assert "robar" not in out


def test_script_content_with_whitespace_variants_disappears():
    out = render_markdown("<ScRiPt\t type=x >robar()</sCrIpT\n>texto")
    assert "texto" in out and "robar" not in out


@pytest.mark.parametrize(
    ("source", "tag"),
    [
        ("# Uno", "h3"),
        ("## Dos", "h4"),
        ("### Tres", "h5"),
        ("#### Cuatro", "h6"),
        ("###### Seis", "h6"),
        ("Uno\n===", "h3"),
    ],
)
def test_headings_never_outrank_the_page(source, tag):
    tags = parse(render_markdown(source)).tags()
    assert tags == [tag]


def test_images_become_links():
    doc = parse(render_markdown('![Mapa del distrito](https://example.org/mapa.png "Mapa")'))
    assert doc.tags() == ["p", "a"]
    attrs = doc.elements[1][1]
    assert attrs["href"] == "https://example.org/mapa.png"
    assert attrs["title"] == "Mapa" and "nofollow" in attrs["rel"]
    assert doc.text() == "Mapa del distrito"


def test_image_without_alt_uses_url_and_image_inside_link_is_text():
    doc = parse(render_markdown("![](https://example.org/a.png)"))
    assert doc.text() == "https://example.org/a.png"
    doc = parse(render_markdown("[![foto](https://example.org/a.png)](https://example.org/album)"))
    assert doc.hrefs() == ["https://example.org/album"]
    assert doc.text() == "foto"


def test_raw_img_tag_is_dropped():
    assert "img" not in parse(render_markdown('<img src="https://example.org/a.png">')).tags()


def test_code_language_class_kept_other_classes_dropped():
    out = render_markdown("```python\nx = 1\n```")
    assert '<code class="language-python">' in out
    assert "class" not in sanitize_html('<code class="evil">x</code>')


def test_table_alignment_uses_attribute_not_style():
    out = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert 'align="left"' in out and 'align="right"' in out and "style" not in out


def test_newline_is_a_line_break():
    assert "<br>" in render_markdown("línea uno\nlínea dos")


def test_reference_definitions_do_not_leak_between_calls():
    render_markdown("[1]: https://example.org/secreto")
    assert "<a" not in render_markdown("[x][1]")


def test_sanitize_html_direct():
    assert sanitize_html('<p onclick="x()">a</p>') == "<p>a</p>"
    assert sanitize_html("<p>ñ &amp; á</p>") == "<p>ñ &amp; á</p>"
    assert sanitize_html("") == ""


def test_positive_text_is_idempotent():
    out = render_markdown(SPANISH)
    assert sanitize_html(out) == out


def test_render_plain_escapes_and_paragraphs():
    out = render_plain("hola <b>mundo</b>\nsegunda línea\n\nvisita https://example.org")
    assert out.startswith("<p>hola &lt;b&gt;mundo&lt;/b&gt;<br>segunda línea</p>")
    assert parse(out).hrefs() == ["https://example.org"]
    assert "<b>" not in out
    assert sanitize_html(out) == out


def test_threads_render_independently():
    sources = [f"[x][r]\n\n[r]: https://example.org/{i}\n\n# T{i}" for i in range(40)]
    expected = [render_markdown(s) for s in sources]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(render_markdown, sources)) == expected
    assert all(f"https://example.org/{i}" in e for i, e in enumerate(expected))
