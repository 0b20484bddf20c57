"""The CJK font for PDF printouts, registered once from the system.

reportlab embeds TrueType outlines only; Noto Sans CJK ships CFF (PostScript) outlines, which it
refuses. So the first TrueType CJK font found is embedded (WenQuanYi Micro Hei from Debian's
fonts-wqy-microhei, see `make system-deps`); without one, reportlab's built-in Adobe CID font
STSong-Light is used (not embedded: the PDF viewer supplies the glyphs).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # refused while CFF
)
FALLBACK = "STSong-Light"
NAME = "JianceCJK"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The registered font name to draw Chinese with."""
    for path, index in CANDIDATES:
        if not Path(path).exists():
            continue
        try:
            pdfmetrics.registerFont(TTFont(NAME, path, subfontIndex=index))
        except TTFError:
            continue
        return NAME
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FALLBACK
