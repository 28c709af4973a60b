"""How CnnquizTestCJK-Regular.otf was made (needs fontTools, which cnnquiz itself does not use):

    apt-get install fonts-noto-cjk && pip install fonttools
    python make_subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc " 中张伟李" CnnquizTestCJK-Regular.otf

Noto Sans CJK SC Regular (face 2 of the collection) cut down to the characters the tests print, without layout
features or hinting, and renamed: a Modified Version under the SIL Open Font License (OFL.txt).
"""

import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

FAMILY, POSTSCRIPT = "Cnnquiz Test CJK", "CnnquizTestCJK-Regular"


def main(source: str, text: str, out: str, index: int = 2) -> None:
    font = TTCollection(source).fonts[index]
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    names = font["name"]
    for name_id in (1, 3, 4, 6):
        names.removeNames(nameID=name_id)
    for platform in ((3, 1, 0x409), (1, 0, 0)):
        names.setName(FAMILY, 1, *platform)
        names.setName(f"{FAMILY} Regular; subset of Noto Sans CJK SC 2.004", 3, *platform)
        names.setName(f"{FAMILY} Regular", 4, *platform)
        names.setName(POSTSCRIPT, 6, *platform)
    font["CFF "].cff.fontNames = [POSTSCRIPT]
    font.recalcTimestamp = False  # keep the source's dates: the same file every time
    font.save(out)


if __name__ == "__main__":
    main(*sys.argv[1:4])
