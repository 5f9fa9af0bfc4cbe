import cv2
import numpy as np
import pytest
from PIL import Image

from irn_core import ImageIOError, read_image, write_png
from irn_core.io.images import list_images


def _save(img: np.ndarray, path, **kwargs):
    Image.fromarray(img).save(path, **kwargs)
    return path


def test_png_8_and_16_bit_round_trip_losslessly(tmp_path, small_image):
    for depth, step in ((8, 255), (16, 65535)):
        quantised = np.round(small_image * step) / step
        path = write_png(tmp_path / f"img{depth}.png", quantised, bit_depth=depth)
        loaded = read_image(path)
        assert loaded.bit_depth == depth
        assert np.abs(loaded.pixels - quantised).max() < 1e-6


def test_metadata_is_written_and_read_back(tmp_path, small_image):
    path = write_png(tmp_path / "lr.png", small_image, metadata={"irn-studio:scale": "4"})
    assert read_image(path).metadata["irn-studio:scale"] == "4"


def test_grayscale_and_alpha_are_converted_and_reported(tmp_path):
    gray = _save(np.full((8, 8), 128, np.uint8), tmp_path / "gray.png")
    loaded = read_image(gray)
    assert loaded.pixels.shape == (8, 8, 3) and any("grayscale" in n for n in loaded.notes)
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[..., 3] = 0  # fully transparent red over white -> white
    loaded = read_image(_save(rgba, tmp_path / "alpha.png"))
    assert np.allclose(loaded.pixels, 1.0) and loaded.alpha is not None
    assert any("alpha" in n for n in loaded.notes)


def test_jpeg_exif_orientation_is_applied(tmp_path):
    img = np.zeros((10, 20, 3), np.uint8)
    img[:, :10] = 255  # left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    path = tmp_path / "rot.jpg"
    Image.fromarray(img).save(path, exif=exif, quality=95)
    loaded = read_image(path)
    assert loaded.pixels.shape == (20, 10, 3)
    assert loaded.pixels[:5].mean() > 0.9 and loaded.pixels[-5:].mean() < 0.1  # white on top
    assert loaded.is_lossy


@pytest.mark.parametrize("suffix", [".tif", ".bmp", ".webp"])
def test_other_formats_read(tmp_path, suffix, small_image):
    img = np.round(small_image * 255).astype(np.uint8)
    loaded = read_image(_save(img, tmp_path / f"x{suffix}", **({"lossless": True} if suffix == ".webp" else {})))
    assert np.abs(loaded.pixels * 255 - img).max() < 1.01


def test_16_bit_tiff_keeps_precision(tmp_path):
    import cv2

    img = np.arange(48, dtype=np.uint16).reshape(4, 4, 3) * 1000 + 7
    cv2.imwrite(str(tmp_path / "deep.tif"), img)
    loaded = read_image(tmp_path / "deep.tif")
    assert loaded.bit_depth == 16
    np.testing.assert_allclose(loaded.pixels * 65535, img[:, :, ::-1], atol=0.01)


def test_bad_files_raise_one_clear_error(tmp_path, small_image):
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.png").write_text("this is text")
    good = write_png(tmp_path / "good.png", small_image)
    data = good.read_bytes()
    (tmp_path / "truncated.png").write_bytes(data[: len(data) // 2])
    jpeg = _save(np.round(small_image * 255).astype(np.uint8), tmp_path / "t.jpg")
    (tmp_path / "truncated.jpg").write_bytes(jpeg.read_bytes()[:300])
    cases = {
        "empty.png": "empty",
        "notes.png": "not an image",
        "truncated.png": "damaged or truncated",
        "truncated.jpg": "damaged or truncated",
        "missing.png": "does not exist",
    }
    for name, message in cases.items():
        with pytest.raises(ImageIOError, match=message):
            read_image(tmp_path / name)
    with pytest.raises(ImageIOError, match="folder"):
        read_image(tmp_path)


def test_unreadable_file(tmp_path, small_image, monkeypatch):
    import irn_core.io.images as io_module

    path = write_png(tmp_path / "secret.png", small_image)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(io_module.np, "fromfile", refuse)
    with pytest.raises(ImageIOError, match="permissions"):
        read_image(path)


def test_writing_never_overwrites_and_leaves_no_partial_file(tmp_path, small_image):
    path = write_png(tmp_path / "out.png", small_image)
    before = path.read_bytes()
    with pytest.raises(ImageIOError, match="already exists"):
        write_png(path, 1 - small_image)
    assert path.read_bytes() == before
    write_png(path, 1 - small_image, overwrite=True)
    assert path.read_bytes() != before
    with pytest.raises(ImageIOError, match="does not exist"):
        write_png(tmp_path / "no" / "such" / "dir.png", small_image)
    with pytest.raises(ImageIOError, match="PNG"):
        write_png(tmp_path / "lossy.jpg", small_image)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_unwritable_folder(tmp_path, small_image, monkeypatch):
    import irn_core.io.writing as io_module

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(io_module.tempfile, "mkstemp", refuse)
    with pytest.raises(ImageIOError, match="writable"):
        write_png(tmp_path / "x.png", small_image)
    assert list(tmp_path.iterdir()) == []


def test_list_images(tmp_path, small_image):
    write_png(tmp_path / "b.png", small_image)
    (tmp_path / "a.txt").write_text("x")
    assert [p.name for p in list_images(tmp_path)] == ["b.png"]


def test_display_conversion_keeps_srgb_and_survives_a_broken_profile():
    from PIL import ImageCms

    from irn_core.io.metadata import display_srgb, profile_name

    pixels = (np.random.default_rng(0).random((8, 8, 3)) * 255).astype(np.uint8)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    assert np.array_equal(display_srgb(pixels, srgb), pixels) and "sRGB" in profile_name(srgb)
    assert display_srgb(pixels, b"not a profile") is pixels  # shown as stored rather than failing
    assert display_srgb(pixels, None) is pixels


def test_heic_and_avif_are_read(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    from PIL import Image

    pillow_heif.register_heif_opener()
    from skimage import data

    pixels = np.ascontiguousarray(data.astronaut()[200:248, 150:214])  # a smooth photo, 48x64
    for suffix in (".heic", ".avif"):
        Image.fromarray(pixels).save(tmp_path / f"phone{suffix}", quality=100)
        image = read_image(tmp_path / f"phone{suffix}")
        assert image.pixels.shape == (48, 64, 3) and image.is_lossy
        # Lossy, but the same picture, channels in RGB order.
        assert np.abs(image.pixels * 255 - pixels).mean() < 6
        assert np.allclose(image.pixels.mean(axis=(0, 1)) * 255, pixels.mean(axis=(0, 1)), atol=4)


def _opencv_rgb(path) -> np.ndarray:
    """The file's pixels as OpenCV decodes them, as float32 RGB (H, W, C) over the stored maximum."""
    raw = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
    raw = raw[:, :, None] if raw.ndim == 2 else raw
    colour = raw[:, :, 2::-1] if raw.shape[2] >= 3 else np.repeat(raw, 3, axis=2)
    return colour.astype(np.float32) / np.float32(np.iinfo(raw.dtype).max)


def test_files_decoded_once_by_pillow_have_opencvs_pixels(tmp_path):
    # 8-bit JPEG and PNG are decoded once, by the Pillow pass that also validates them: their pixels must be
    # those OpenCV gives, bit for bit, in every chroma subsampling and coding a camera or an editor writes.
    rng = np.random.default_rng(3)
    smooth = cv2.resize(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8), (83, 61), interpolation=cv2.INTER_CUBIC)
    textured = np.clip(smooth.astype(int) + rng.integers(-40, 40, smooth.shape), 0, 255).astype(np.uint8)
    files = [
        _save(textured, tmp_path / "s420.jpg", quality=90, subsampling="4:2:0"),
        _save(textured, tmp_path / "s422.jpg", quality=85, subsampling="4:2:2"),
        _save(textured, tmp_path / "s444.jpg", quality=97, subsampling="4:4:4"),
        _save(textured, tmp_path / "progressive.jpg", quality=80, progressive=True),
        _save(textured[:, :, 0], tmp_path / "gray.jpg", quality=90),
        _save(textured, tmp_path / "rgb.png"),
        _save(textured[:, :, 1], tmp_path / "gray.png"),
    ]
    for path in files:
        assert np.array_equal(read_image(path).pixels, _opencv_rgb(path)), path.name


def test_files_pillow_would_decode_differently_keep_opencvs_reading(tmp_path):
    rgb = np.arange(5 * 7 * 3, dtype=np.uint8).reshape(5, 7, 3)
    Image.fromarray(rgb).save(tmp_path / "keyed.png", transparency=(int(rgb[0, 0, 0]), 1, 2))  # tRNS: alpha
    keyed = read_image(tmp_path / "keyed.png")
    assert keyed.alpha is not None and keyed.alpha[0, 0] == 0 and keyed.alpha[1:].min() == 1
    assert np.allclose(keyed.pixels[0, 0], 1.0)  # the keyed colour is transparent: white
    deep = (np.arange(4 * 6 * 3, dtype=np.uint16).reshape(4, 6, 3) * 1000 + 7).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "deep.png"), deep[:, :, ::-1])  # Pillow would give 8 bits of it
    loaded = read_image(tmp_path / "deep.png")
    assert loaded.bit_depth == 16 and np.array_equal(loaded.pixels, deep.astype(np.float32) / np.float32(65535))
