"""Is a library runtime faster than PyTorch for IRN on this CPU, at the same accuracy?

Times IRN's x4 forward pass on one patch (astronaut, resized) in PyTorch (channels_last, the allocator
setting the CLI uses) and in OpenVINO's CPU plugin (f32, dynamic and static shapes) and ONNX Runtime, each
in its own process so that peak memory is its own; then a whole tiled round trip of a photo-sized image
through the rescaler's tile plan in PyTorch and in OpenVINO with static shapes (one compiled model per tile
shape, compile time included). Needs ``pip install openvino onnxruntime onnx onnxscript``.

    python scripts/compare_runtimes.py            # all figures, about 10 minutes on 2 cores
"""

from __future__ import annotations

import contextlib
import resource
import subprocess
import sys
import time

import numpy as np
import torch

from irn_core.device import keep_freed_memory
from irn_core.io.checkpoints import bundled_weights_path, load_irn
from irn_core.ops.tiling import run_tiled

SCALE = 4


class _Direction(torch.nn.Module):
    def __init__(self, net: torch.nn.Module, rev: bool):
        super().__init__()
        self.net, self.rev = net, rev

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x, rev=self.rev)


def _net():
    return load_irn(bundled_weights_path(SCALE)).eval().to(memory_format=torch.channels_last)


def _image(edge: int) -> torch.Tensor:
    from skimage import data

    img = torch.from_numpy(data.astronaut().astype(np.float32) / 255).permute(2, 0, 1)[None]
    return torch.nn.functional.interpolate(img, size=(edge, edge), mode="bilinear").contiguous()


def _compile(model: torch.nn.Module, example: torch.Tensor, shape):
    import openvino as ov

    converted = ov.convert_model(model, example_input=example, input=[shape])
    config = {
        "INFERENCE_PRECISION_HINT": "f32",
        "NUM_STREAMS": "1",
        "INFERENCE_NUM_THREADS": str(torch.get_num_threads()),
    }
    return ov.Core().compile_model(converted, "CPU", config)


def one_patch(runtime: str, edge: int) -> str:
    """Seconds per HR megapixel of one forward pass of an edge x edge patch, best of 3, and the memory it added."""
    torch.set_num_threads(2)
    keep_freed_memory()
    net = _net()
    x = _image(edge)
    run, context = None, contextlib.nullcontext
    if runtime == "torch":
        run, context = (lambda: net(x.contiguous(memory_format=torch.channels_last))), torch.inference_mode
    elif runtime.startswith("openvino"):
        shape = (1, 3, -1, -1) if runtime == "openvino-dynamic" else (1, 3, edge, edge)
        request = _compile(_Direction(net, False), torch.rand(1, 3, 64, 64), shape).create_infer_request()
        run = lambda: request.infer({0: x.numpy()})  # noqa: E731
    elif runtime == "onnxruntime":
        import onnxruntime as ort

        path = "/tmp/irn_down.onnx"
        torch.onnx.export(_Direction(net, False), (torch.rand(1, 3, 64, 64),), path, dynamo=False,
                          input_names=["x"], dynamic_axes={"x": {2: "h", 3: "w"}}, opset_version=17)  # fmt: skip
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        run = lambda: session.run(None, {"x": x.numpy()})  # noqa: E731
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times = []
    with context():
        for _ in range(3):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    added = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    rate = min(times) / (edge * edge / 1e6)
    per_pixel = added * 2**20 / edge**2
    return f"{runtime:17s} {edge}x{edge}: {rate:6.2f} s/MP, +{added:.0f} MiB ({per_pixel:.0f} B/HR px)"


def tiled_roundtrip(runtime: str, width: int, height: int) -> str:
    """A whole round trip of a width x height image through the rescaler's own tile plan."""
    from irn_core.rescaler import IRNRescaler

    torch.set_num_threads(2)
    keep_freed_memory()
    rescaler = IRNRescaler(load_irn(bundled_weights_path(SCALE)), device="cpu", precision="fp32")
    hr = torch.nn.functional.interpolate(_image(1024), size=(height, width), mode="bilinear")
    lr_h, lr_w = height // SCALE, width // SCALE
    compiled: dict[tuple[bool, tuple[int, ...]], object] = {}
    compile_seconds = [0.0]

    def apply(rev: bool):
        def fn(patch: torch.Tensor, _step) -> torch.Tensor:
            if runtime == "torch":
                return rescaler.net(patch.contiguous(memory_format=torch.channels_last), rev=rev)
            key = (rev, tuple(patch.shape))
            if key not in compiled:
                start = time.perf_counter()
                with torch.inference_mode(False):
                    example = torch.rand(tuple(patch.shape))
                    compiled[key] = _compile(_Direction(rescaler.net, rev), example, tuple(patch.shape))
                compile_seconds[0] += time.perf_counter() - start
            return torch.from_numpy(compiled[key].create_infer_request().infer({0: patch.numpy()})[0].copy())

        return fn

    common = dict(lr_shape=(lr_h, lr_w), tile_lr=rescaler.tile_lr, overlap=rescaler.overlap, device=torch.device("cpu"),
                  max_patch_pixels=rescaler.max_patch_lr_pixels)  # fmt: skip
    start = time.perf_counter()
    down = run_tiled(apply(False), hr, in_factor=SCALE, out_factor=1, out_channels=3 * SCALE**2, **common)
    down[:, :3] = torch.round(down[:, :3].clamp(0, 1) * 255) / 255
    down[:, 3:] = torch.randn(down[:, 3:].shape, generator=torch.Generator().manual_seed(0))
    run_tiled(apply(True), down, in_factor=1, out_factor=SCALE, out_channels=3, **common)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    per_mp = seconds / (width * height / 1e6)
    shapes = f"{len(compiled)} compiled shapes, {compile_seconds[0]:.1f} s compiling"
    what = f"{runtime:17s} round trip {width}x{height} x{SCALE}"
    return f"{what}: {seconds:6.1f} s ({per_mp:.2f} s/MP, {shapes}), peak RSS {peak:.2f} GiB"


def main() -> None:
    if len(sys.argv) > 1:
        kind, *rest = sys.argv[1:]
        print(
            one_patch(rest[0], int(rest[1]))
            if kind == "patch"
            else tiled_roundtrip(rest[0], int(rest[1]), int(rest[2]))
        )
        return
    runs = [["patch", r, str(e)] for e in (512, 1024) for r in ("torch", "openvino-dynamic", "openvino-static")]
    runs += [
        ["patch", "onnxruntime", "512"],
        ["roundtrip", "torch", "2000", "1500"],
        ["roundtrip", "openvino", "2000", "1500"],
    ]
    for run in runs:
        out = subprocess.run([sys.executable, __file__, *run], capture_output=True, text=True)
        print(out.stdout.strip() or out.stderr.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
