"""Nothing lost, nothing run that should not run: planted pickles, colliding and self-replacing outputs,
a batch that survives any file, LR files checked against their record, resume by request, tiny images."""

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import randomize
from PIL import Image
from skimage import data

from irn_core import build_irn, read_image, save_irn, write_png
from irn_core.cli import main
from irn_core.errors import DiskFullError
from irn_core.io.batch import BatchItem, run_batch

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def weights(tmp_path):
    return str(save_irn(randomize(build_irn(2), std=0.01), tmp_path / "w2.safetensors", half=False))


def _photo(h=48, w=40, source=data.astronaut):
    return np.ascontiguousarray(source()[100 : 100 + h, 200 : 200 + w]).astype(np.float32) / 255


class _Planted:
    """A pickle that would create ``marker`` when unpickled by an unsafe loader."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _plant(path: Path, marker: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": _Planted(marker), "iteration": 1}, path)


def test_a_planted_pickle_in_a_run_folder_never_runs_on_export_or_resume(tmp_path, capsys):
    run, marker = tmp_path / "run", tmp_path / "pwned"
    _plant(run / "checkpoints" / "iter_00000001.pt", marker)
    assert main(["export", str(run), "-o", str(tmp_path / "w.safetensors")]) == 1
    assert "nothing in it was run" in capsys.readouterr().err
    photos = tmp_path / "photos"
    photos.mkdir()
    write_png(photos / "a.png", _photo(64, 64))
    argv = ["train", "--scale", "2", "--data", str(photos), "--out", str(run), "--iters", "2", "--batch", "1"]
    assert main([*argv, "--patch", "32", "--device", "cpu", "-q"]) == 1
    assert not marker.exists()


def test_a_planted_pickle_as_weights_never_runs_in_the_cli_the_library_or_the_app_loader(tmp_path):
    from irn_core import describe_checkpoint, load_irn
    from irn_core.errors import WeightsError

    evil, marker = tmp_path / "evil.pth", tmp_path / "pwned"
    _plant(evil, marker)
    write_png(tmp_path / "a.png", _photo())
    assert main(["downscale", str(tmp_path / "a.png"), "-o", str(tmp_path / "lr.png"), "--weights", str(evil)]) == 1
    for load in (load_irn, describe_checkpoint):  # describe_checkpoint is what the app's weights check runs
        with pytest.raises(WeightsError):
            load(evil)
    assert not marker.exists()


def test_no_unsafe_load_anywhere_in_the_tree():
    """Every torch.load says weights_only=True; nothing unpickles with pickle or numpy."""
    unsafe = []
    for path in [*REPO.glob("irn_core/**/*.py"), *REPO.glob("app/**/*.py"), *REPO.glob("scripts/*.py")]:
        text = path.read_text()
        for match in re.finditer(r"torch\.load\(([^)]*)\)", text):
            if "weights_only=True" not in match.group(1):
                unsafe.append(f"{path.relative_to(REPO)}: {match.group(0)}")
        for pattern in (r"pickle\.loads?\(", r"allow_pickle\s*=\s*True", r"weights_only\s*=\s*False"):
            unsafe += [f"{path.relative_to(REPO)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert unsafe == []


def test_same_named_photos_of_two_folders_get_two_outputs(tmp_path, weights, capsys):
    for cam, source in (("cam1", data.astronaut), ("cam2", data.chelsea)):
        (tmp_path / cam).mkdir()
        write_png(tmp_path / cam / "photo.png", _photo(source=source))
    out = tmp_path / "out"
    argv = ["downscale", str(tmp_path / "cam1"), str(tmp_path / "cam2"), "-o", str(out), "--weights", weights, "-q"]
    assert main(argv) == 0
    lrs = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png"))
    assert lrs == ["cam1/photo_x2_lr.png", "cam2/photo_x2_lr.png"]
    a, b = (read_image(out / lr).pixels for lr in lrs)
    assert not np.array_equal(a, b)
    assert "2 done" in capsys.readouterr().out


def test_outputs_that_differ_only_in_case_are_refused_before_any_work(tmp_path, weights, capsys):
    src = tmp_path / "src"
    src.mkdir()
    write_png(src / "photo.png", _photo())
    os.link(src / "photo.png", src / "photo.PNG")
    assert main(["downscale", str(src), "-o", str(tmp_path / "out"), "--weights", weights, "-q"]) == 1
    err = capsys.readouterr().err
    assert "photo.png" in err and "photo.PNG" in err and "nothing was done" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.png"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_output_that_is_the_input_is_refused_even_with_overwrite(tmp_path, weights, capsys):
    photo = tmp_path / "a.png"
    write_png(photo, _photo())
    before = _sha(photo)
    for extra in ([], ["--overwrite"]):
        assert main(["downscale", str(photo), "-o", str(photo), "--weights", weights, "-q", *extra]) == 1
        assert "is the input" in capsys.readouterr().err
    os.link(photo, tmp_path / "same.png")  # the same file under another name
    assert main(["downscale", str(photo), "-o", str(tmp_path / "same.png"), "--weights", weights, "--overwrite"]) == 1
    assert _sha(photo) == before


def test_outputs_of_an_earlier_run_in_the_input_folder_are_not_taken_as_inputs(tmp_path, weights, capsys):
    src = tmp_path / "src"
    src.mkdir()
    write_png(src / "a.png", _photo())
    for _ in range(2):
        assert main(["downscale", str(src), "-o", str(src), "--weights", weights, "-q"]) == 0
    assert sorted(p.name for p in src.iterdir()) == ["a.png", "a_x2_lr.png"]
    assert "output(s) of earlier runs not taken as inputs" in capsys.readouterr().out


def test_a_huge_sparse_file_between_two_good_ones_fails_alone(tmp_path, weights, capsys, monkeypatch):
    import irn_core.io.images as images

    read_whole = []
    fromfile = images.np.fromfile
    monkeypatch.setattr(images.np, "fromfile", lambda path, *a, **k: read_whole.append(path) or fromfile(path, *a, **k))
    src = tmp_path / "src"
    src.mkdir()
    write_png(src / "a.png", _photo())
    with open(src / "b_huge.png", "wb") as f:
        f.truncate(2**30)  # 1 GiB of holes: never read whole
    write_png(src / "c.png", _photo(source=data.chelsea))
    assert main(["downscale", str(src), "-o", str(tmp_path / "out"), "--weights", weights, "-q"]) == 1
    captured = capsys.readouterr()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a_x2_lr.png", "c_x2_lr.png"]
    assert "b_huge.png" in captured.err and "Traceback" not in captured.err + captured.out
    assert all("b_huge" not in str(path) for path in read_whole)  # refused by its header, never read whole


def test_a_file_claiming_more_pixels_than_the_limit_is_refused_by_its_header(tmp_path, monkeypatch):
    from irn_core.errors import ImageIOError
    from irn_core.io.images import PIXEL_LIMIT_VARIABLE

    Image.new("1", (4000, 3000)).save(tmp_path / "bomb.png")  # 12 MP in a few KB
    monkeypatch.setenv(PIXEL_LIMIT_VARIABLE, "10")
    with pytest.raises(ImageIOError, match=r"12 megapixels, above the limit of 10 megapixels.*IRN_MAX_MEGAPIXELS"):
        read_image(tmp_path / "bomb.png")


def test_any_failure_of_one_file_is_reported_for_it_and_the_batch_goes_on(tmp_path):
    items = [BatchItem(tmp_path / f"{i}.png", (tmp_path / f"{i}_lr.png",)) for i in range(4)]
    failures = {1: MemoryError(), 2: RuntimeError("boom")}

    def process(item):
        index = int(item.source.stem)
        if index in failures:
            raise failures[index]
        return "ok"

    summary = run_batch(items, process)
    assert [p.name for p in summary.written] == ["0.png", "3.png"]
    assert [p.name for p, _ in summary.failed] == ["1.png", "2.png"]
    assert "not enough memory" in summary.failed[0][1] and "boom" in summary.failed[1][1]


def test_a_full_disk_stops_the_batch_and_names_what_was_not_attempted(tmp_path):
    items = [BatchItem(tmp_path / f"{i}.png", (tmp_path / f"{i}_lr.png",)) for i in range(4)]
    calls = []

    def process(item):
        calls.append(item.source.name)
        if item.source.name == "1.png":
            raise DiskFullError("disk full")

    summary = run_batch(items, process)
    assert calls == ["0.png", "1.png"] and [p.name for p in summary.not_attempted] == ["2.png", "3.png"]
    assert not summary.ok and "not attempted" in summary.describe()


def _lr_file(tmp_path, weights) -> Path:
    write_png(tmp_path / "a.png", _photo(48, 40))
    assert main(["downscale", str(tmp_path / "a.png"), "-o", str(tmp_path / "a_lr.png"), "--weights", weights]) == 0
    return tmp_path / "a_lr.png"


def test_an_lr_whose_pixels_disagree_with_its_record_is_refused(tmp_path, weights, capsys):
    lr = _lr_file(tmp_path, weights)
    with Image.open(lr) as im:  # a photo editor halves it and keeps the text chunks
        half = im.resize((im.width // 2, im.height // 2))
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        for key, value in im.info.items():
            if isinstance(value, str):
                info.add_text(key, value)
        half.save(tmp_path / "edited.png", pnginfo=info)
    capsys.readouterr()
    assert main(["upscale", str(tmp_path / "edited.png"), "-o", str(tmp_path / "r.png"), "--weights", weights]) == 1
    err = capsys.readouterr().err
    assert "records an original of 40x48" in err and "10x12" in err and not (tmp_path / "r.png").exists()
    # With --scale it is an explicit foreign-LR restore, with its warning.
    argv = ["upscale", str(tmp_path / "edited.png"), "-o", str(tmp_path / "r.png"), "--weights", weights]
    assert main([*argv, "--scale", "2"]) == 0
    assert "foreign LR" in capsys.readouterr().err
    assert read_image(tmp_path / "r.png").pixels.shape == (24, 20, 3)


def test_a_rerun_with_other_options_redoes_the_file(tmp_path, weights, capsys):
    from test_cli_batch import _jpeg_with_profile_and_exif

    src = tmp_path / "cam"
    src.mkdir()
    _jpeg_with_profile_and_exif(src / "shot.jpg")
    out = tmp_path / "out"
    base = ["roundtrip", str(src), "-o", str(out), "--weights", weights, "-q"]
    assert main(base) == 0
    assert main([*base, "--strip-gps"]) == 0
    assert "made with other options" in capsys.readouterr().err
    for name in ("shot_x2_lr.png", "shot_x2_restored.png"):
        with Image.open(out / name) as im:
            assert 0x8825 not in im.getexif()
    restored = out / "shot_x2_restored.png"
    before = restored.read_bytes()
    assert main([*base, "--strip-gps", "--seed", "3"]) == 0  # the LR is current; the restored one is redone
    assert restored.read_bytes() != before
    assert main([*base, "--strip-gps", "--seed", "3"]) == 0
    assert "1 skipped" in capsys.readouterr().out


def test_an_empty_output_is_not_done_and_stale_part_files_are_cleaned(tmp_path, weights):
    src = tmp_path / "src"
    src.mkdir()
    write_png(src / "a.png", _photo())
    out = tmp_path / "out"
    out.mkdir()
    (out / "a_x2_lr.png").write_bytes(b"")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = out / f".a_x2_lr.png.{dead.stdout.strip()}.abcd.part"
    stale.write_bytes(b"half a file")
    assert main(["downscale", str(src), "-o", str(out), "--weights", weights, "-q"]) == 0
    assert read_image(out / "a_x2_lr.png").pixels.shape == (24, 20, 3)
    assert not stale.exists()


@pytest.mark.parametrize("shape", [(1, 1), (1, 400), (400, 1), (5, 5)])
def test_images_too_small_to_measure_give_nan_metrics_not_a_traceback(tmp_path, weights, shape, capsys):
    write_png(tmp_path / "tiny.png", np.full((*shape, 3), 0.5, np.float32))
    assert main(["roundtrip", str(tmp_path / "tiny.png"), "-o", str(tmp_path / "o"), "--weights", weights, "-q"]) == 0
    captured = capsys.readouterr()
    assert "nan" in captured.out and "too small to measure" in captured.err
    assert read_image(tmp_path / "o" / "tiny_x2_restored.png").pixels.shape[:2] == shape


def test_non_finite_weights_and_parameters_are_refused(tmp_path, weights, capsys):
    net = build_irn(2)
    with torch.no_grad():
        next(net.parameters()).fill_(float("nan"))
    bad = save_irn(net, tmp_path / "nan.safetensors", half=False)
    write_png(tmp_path / "a.png", _photo())
    assert main(["downscale", str(tmp_path / "a.png"), "-o", str(tmp_path / "lr.png"), "--weights", str(bad)]) == 1
    assert "non-finite" in capsys.readouterr().err and not (tmp_path / "lr.png").exists()
    for option in (["--temperature", "nan"], ["--seed", "99999999999999999999999"], ["--quality", "0"]):
        command = "roundtrip" if option[0] != "--quality" else "downscale"
        with pytest.raises(SystemExit) as exit_info:
            main([command, str(tmp_path / "a.png"), "-o", str(tmp_path / "o"), *option])
        assert exit_info.value.code == 2


def test_exported_weights_get_the_users_umask_and_bundled_names_stay_in_their_folder(tmp_path):
    from irn_core.io.checkpoints import BUNDLED_WEIGHTS_DIR, resolve_weights

    old = os.umask(0o022)
    try:
        path = save_irn(build_irn(2), tmp_path / "w.safetensors")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    sneaky = f"../{BUNDLED_WEIGHTS_DIR.name}/irn_x2"
    assert resolve_weights(sneaky, None) == Path(sneaky)  # a plain path, not a bundled name
    assert resolve_weights("irn_x2", None) == BUNDLED_WEIGHTS_DIR / "irn_x2.safetensors"


def test_an_unwritable_output_folder_is_refused_before_any_network_pass(tmp_path, weights, monkeypatch, capsys):
    import irn_core.io.writing as writing
    from irn_core import IRNRescaler

    write_png(tmp_path / "a.png", _photo())
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    # As root every folder is writable, so the folder's refusal is simulated where the check asks.
    monkeypatch.setattr(writing.os, "access", lambda p, mode: False if Path(p) == locked else real_access(p, mode))
    monkeypatch.setattr(IRNRescaler, "downscale", lambda *a, **k: pytest.fail("the network ran"))
    for out in (locked / "lr.png", locked / "batch"):
        assert main(["downscale", str(tmp_path / "a.png"), "-o", str(out), "--weights", weights, "-q"]) == 1
        assert f"folder {locked} is not writable" in capsys.readouterr().err


def test_a_full_disk_while_writing_is_a_disk_full_error_and_leaves_no_part_file(tmp_path, monkeypatch):
    import errno

    import irn_core.io.writing as writing

    def no_room(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writing.os, "link", no_room)
    with pytest.raises(DiskFullError, match="the disk is full"):
        write_png(tmp_path / "a.png", _photo())
    assert list(tmp_path.iterdir()) == []
