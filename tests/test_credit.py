"""The optional credit line: read back from every format's metadata, never drawn into the pixels."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image, ImageSequence

import convanim
from convanim.cli import main

CREDIT = "Figure: Ada Lovelace, CC BY 4.0 — ünïcode"
SPEC = {"input_size": 4, "kernel_size": 3}  # 2x2 outputs: 4 frames


def frames(path) -> list[np.ndarray]:
    with Image.open(path) as im:
        return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)]


@pytest.mark.parametrize("ext", [".gif", ".png", ".webp"])
def test_raster_animations_carry_the_credit_in_metadata_only(tmp_path, ext):
    plain = convanim.animate(**SPEC).save(tmp_path / f"plain{ext}")
    credited = convanim.animate(**SPEC, credit=CREDIT).save(tmp_path / f"credited{ext}")
    with Image.open(credited) as im:
        if ext == ".gif":
            text = im.info["comment"].decode("utf-8")
        elif ext == ".png":
            text = im.info["Comment"]
        else:  # WebP: XMP dc:description
            xmp = im.info["xmp"]
            text = ET.fromstring(xmp).find(".//{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li").text
    assert text.splitlines()[0] == CREDIT
    assert "convanim" in text.splitlines()[1]  # the config line follows
    with Image.open(plain) as im:
        assert CREDIT not in str(im.info)
    a, b = frames(plain), frames(credited)
    assert len(a) == len(b) == 4
    for x, y in zip(a, b):
        assert np.array_equal(x, y)


def test_svg_step_names_the_credit_as_rights_and_description(tmp_path):
    anim = convanim.animate(**SPEC, credit=CREDIT)
    path = anim.save(tmp_path / "step.svg", step=2)
    root = ET.parse(path).getroot()
    dc = "{http://purl.org/dc/elements/1.1/}"
    rights = root.find(f".//{dc}rights")
    description = root.find(f".//{dc}description")
    assert CREDIT in "".join(rights.itertext())
    assert description.text == CREDIT
    # the drawing itself is the one without a credit
    plain = convanim.animate(**SPEC).save(tmp_path / "plain.svg", step=2)

    def drawing(p):
        return re.sub(r"<metadata>.*?</metadata>", "", p.read_text(encoding="utf-8"), flags=re.S)

    assert drawing(path) == drawing(plain)


def test_pdf_deck_names_the_credit_as_author_and_subject(tmp_path):
    path = convanim.animate(**SPEC, credit="Figure: Ada Lovelace").save(tmp_path / "deck.pdf")
    data = path.read_bytes()
    assert b"/Author (Figure: Ada Lovelace)" in data
    assert b"/Subject (Figure: Ada Lovelace)" in data
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 1
    assert b"Ada" not in convanim.animate(**SPEC).save(tmp_path / "plain.pdf").read_bytes()


def test_cli_render_and_gallery_take_credit(tmp_path, capsys):
    out = tmp_path / "a.gif"
    assert main(["render", "-i", "4", "-k", "3", "--credit", "Figure: B. C.", "-o", str(out)]) == 0
    with Image.open(out) as im:
        assert im.info["comment"].startswith(b"Figure: B. C.\n")
    gallery = tmp_path / "g.toml"
    gallery.write_text(
        '[[case]]\nname = "one"\ninput_size = 4\nkernel_size = 3\n'
        '[[case]]\nname = "own"\ninput_size = 4\nkernel_size = 3\ncredit = "Its own credit"\n',
        encoding="utf-8",
    )
    assert main(["gallery", str(gallery), "-o", str(tmp_path / "g"), "--jobs", "1", "--credit", "All of them"]) == 0
    with Image.open(tmp_path / "g" / "one.gif") as im:
        assert im.info["comment"].startswith(b"All of them\n")
    with Image.open(tmp_path / "g" / "own.gif") as im:
        assert im.info["comment"].startswith(b"Its own credit\n")


@pytest.mark.parametrize("credit", ["", "two\nlines", "x" * 501, 5])
def test_bad_credit_is_one_sentence(tmp_path, capsys, credit):
    with pytest.raises(ValueError, match=r"^credit must be one line of 1 to 500 printable characters"):
        convanim.animate(**SPEC, credit=credit)
    if isinstance(credit, str):
        assert main(["render", "-i", "4", "-k", "3", "--credit", credit, "-o", str(tmp_path / "x.gif")]) == 2
        assert "credit must be" in capsys.readouterr().err
        assert not (tmp_path / "x.gif").exists()


def test_outputs_without_metadata_refuse_a_credit(tmp_path):
    anim = convanim.animate(**SPEC, credit="Figure: B. C.")
    with pytest.raises(ValueError, match=r"^credit is not written to \.mp4"):
        anim.save(tmp_path / "a.mp4")
    with pytest.raises(ValueError, match="^credit is not written to PNG frames"):
        anim.save_frames(tmp_path / "frames")
    assert list(tmp_path.iterdir()) == []
    assert len(anim.save_frames(tmp_path / "svg", fmt="svg")) == 4
