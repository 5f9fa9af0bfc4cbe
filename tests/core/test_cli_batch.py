"""irn downscale/upscale/roundtrip over folders: outputs, skips on a second run, bad files, metadata, depth."""

import numpy as np
import pytest
from conftest import randomize
from PIL import Image
from skimage import data

from irn_core import build_irn, read_image, save_irn, write_png
from irn_core.cli import main
from irn_core.cli.parsers import build_parser


@pytest.fixture
def weights(tmp_path):
    return str(save_irn(randomize(build_irn(2), std=0.01), tmp_path / "w2.safetensors", half=False))


def _photo(h=48, w=40):
    return np.ascontiguousarray(data.astronaut()[100 : 100 + h, 200 : 200 + w])


@pytest.fixture
def folder(tmp_path):
    """A photographer's folder: an 8-bit PNG, a 16-bit PNG, a HEIC, a damaged 'PNG' and a text file."""
    pytest.importorskip("pillow_heif")
    import pillow_heif

    pillow_heif.register_heif_opener()
    d = tmp_path / "photos"
    d.mkdir()
    write_png(d / "plain.png", _photo().astype(np.float32) / 255)
    write_png(d / "deep.png", _photo(40, 32).astype(np.float32) / 255, bit_depth=16)
    Image.fromarray(_photo(32, 48)).save(d / "phone.heic")
    (d / "broken.png").write_text("this is not a picture")
    (d / "notes.txt").write_text("shot on a sunny day")
    return d


def test_a_folder_is_processed_bad_files_named_and_a_second_run_skips_everything(folder, tmp_path, weights, capsys):
    out = tmp_path / "out"
    assert main(["downscale", str(folder), "-o", str(out), "--weights", weights, "-q"]) == 1
    captured = capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["deep_x2_lr.png", "phone_x2_lr.png", "plain_x2_lr.png"]
    assert "broken.png" in captured.err and "Traceback" not in captured.err + captured.out
    assert "3 done" in captured.out and "1 failed" in captured.out and "1 non-image" in captured.out
    assert read_image(out / "phone_x2_lr.png").pixels.shape == (16, 24, 3)
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert main(["downscale", str(folder), "-o", str(out), "--weights", weights, "-q"]) == 1  # broken.png again
    again = capsys.readouterr().out
    assert "0 done" in again and "3 skipped (already done)" in again
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


def test_a_clean_folder_exits_zero_and_upscale_restores_the_original_depth(tmp_path, weights, capsys):
    src = tmp_path / "src"
    src.mkdir()
    write_png(src / "deep.png", _photo().astype(np.float32) / 255, bit_depth=16)
    write_png(src / "plain.png", _photo().astype(np.float32) / 255)
    assert main(["roundtrip", str(src), "-o", str(tmp_path / "rt"), "--weights", weights, "-q"]) == 0
    assert capsys.readouterr().out.count("PSNR-Y") == 2
    assert read_image(tmp_path / "rt" / "deep_x2_restored.png").bit_depth == 16
    assert read_image(tmp_path / "rt" / "plain_x2_restored.png").bit_depth == 8
    assert read_image(tmp_path / "rt" / "deep_x2_lr.png").bit_depth == 8  # the LR is 8-bit by IRN's design
    lrs = tmp_path / "lrs"
    assert main(["downscale", str(src), "-o", str(lrs), "--weights", weights, "-q"]) == 0
    assert main(["upscale", str(lrs), "-o", str(tmp_path / "up"), "--weights", weights, "-q"]) == 0
    assert read_image(tmp_path / "up" / "deep_x2_lr_restored.png").bit_depth == 16
    assert read_image(tmp_path / "up" / "plain_x2_lr_restored.png").bit_depth == 8


def _jpeg_with_profile_and_exif(path):
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0132] = "2026:11:28 10:00:00"  # DateTime
    exif[0x0112] = 6  # rotate 90° to show upright
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 0.0)}  # GPS
    Image.fromarray(_photo(40, 48)).save(path, icc_profile=icc, exif=exif.tobytes())
    return icc


@pytest.mark.parametrize("strip_gps", [False, True])
def test_icc_profile_and_exif_reach_the_lr_and_the_restored_image(tmp_path, weights, strip_gps):
    src = tmp_path / "cam"
    src.mkdir()
    icc = _jpeg_with_profile_and_exif(src / "shot.jpg")
    extra = ["--strip-gps"] if strip_gps else []
    assert main(["roundtrip", str(src), "-o", str(tmp_path / "o"), "--weights", weights, "-q", *extra]) == 0
    for name in ("shot_x2_lr.png", "shot_x2_restored.png"):
        with Image.open(tmp_path / "o" / name) as im:
            exif = im.getexif()
            assert im.info.get("icc_profile") == icc
            assert exif.get(0x010F) == "TestCam" and exif.get(0x0132) == "2026:11:28 10:00:00"
            assert exif.get(0x0112) == 1  # applied once to the pixels, then reset
            assert (0x8825 in exif) is not strip_gps
    # Rotated upright: the 40x48 landscape is stored 48x40 portrait, and the LR keeps its IRN record.
    lr = read_image(tmp_path / "o" / "shot_x2_lr.png")
    assert lr.pixels.shape == (24, 20, 3) and lr.metadata["irn-studio:scale"] == "2"


def test_strip_metadata_writes_neither(tmp_path, weights):
    src = tmp_path / "cam"
    src.mkdir()
    _jpeg_with_profile_and_exif(src / "shot.jpg")
    assert main(["downscale", str(src / "shot.jpg"), "-o", str(tmp_path / "lr.png"), "--weights", weights,
                 "--strip-metadata", "-q"]) == 0  # fmt: skip
    with Image.open(tmp_path / "lr.png") as im:
        assert "icc_profile" not in im.info and len(im.getexif()) == 0


def test_single_output_in_a_new_folder_and_refusals_name_the_flag(tmp_path, weights, capsys):
    src = write_png(tmp_path / "a.png", _photo().astype(np.float32) / 255)
    target = tmp_path / "new" / "deeper" / "lr.png"
    assert main(["downscale", str(src), "-o", str(target), "--weights", weights, "-q"]) == 0
    assert target.exists()
    assert main(["downscale", str(src), "-o", str(target), "--weights", weights, "-q"]) == 1
    assert "--overwrite" in capsys.readouterr().err
    assert main(["downscale", str(src), "-o", str(target), "--weights", weights, "-q", "--overwrite"]) == 0


def test_every_subcommand_help_shows_defaults_and_every_option_has_help():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in subparsers.items():
        text = sub.format_help()
        assert "default" in text, name
        for action in sub._actions:
            if action.dest != "help":
                assert action.help, f"irn {name}: {action.option_strings or action.dest} has no help"
