"""Training configuration: the paper's recipe by default, each deviation a named option."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError

PAPER_LAMBDA_FORWARD = {2: 4.0, 4: 16.0, 8: 64.0}

# What trained the bundled weights' first CPU stages (experiments/configs/irn_x2_cpu.json, irn_x4_cpu.json):
# small patches and a short cosine schedule, so an iteration takes seconds on a laptop, not minutes. The
# TrainConfig defaults are the paper's recipe, for a GPU. cli/parsers.py states these numbers in --help.
CPU_RECIPES: dict[int, dict[str, object]] = {
    2: {"iters": 1500, "batch": 16, "patch": 64, "lr": 4e-4, "z_warmup_iters": 400},
    4: {"iters": 400, "batch": 12, "patch": 96, "lr": 4e-4, "z_warmup_iters": 200},
    8: {"iters": 400, "batch": 8, "patch": 128, "lr": 4e-4, "z_warmup_iters": 200},
}
CPU_RECIPE_COMMON: dict[str, object] = {
    "lr_schedule": "cosine",
    "lr_warmup_iters": 50,
    "autocast_bf16": True,
    "val_every": 250,
    "val_draws": 1,
    "checkpoint_every": 25,
}
# Peak training memory per HR pixel of a batch (forward, backward and Adam), measured at 11.3 GB for 16
# patches of 144^2 at x2 on CPU; about 34 KB.
TRAIN_BYTES_PER_PATCH_PIXEL = 34_000
TRAIN_FIXED_BYTES = 2**29


def cpu_recipe(scale: int) -> dict[str, object]:
    """The CPU recipe for ``scale`` (the options a CPU run takes unless told otherwise)."""
    return CPU_RECIPE_COMMON | CPU_RECIPES.get(scale, CPU_RECIPES[4])


def training_memory_bytes(config: TrainConfig, processes: int = 1) -> int:
    """Estimated peak memory of a run: per process, its share of the batch at TRAIN_BYTES_PER_PATCH_PIXEL."""
    per_process = -(-config.batch // max(1, processes))
    return processes * (per_process * config.patch**2 * TRAIN_BYTES_PER_PATCH_PIXEL + TRAIN_FIXED_BYTES)


@dataclass
class TrainConfig:
    """Options of ``irn train``. Defaults are the official train_IRN_x*.yml recipe.

    model: "irn" (the paper's losses) or "sr" (our compact SR baseline, L1 loss on bicubic LR;
    ``patch`` is then the HR patch too).

    Deviations for small compute (all off by default, each measured in docs/RESULTS.md):
    z_warmup_iters: the latent temperature of the backward pass rises linearly 0 -> 1.
    z_temperature_range: (lowest, highest): each patch's latent is drawn at a temperature uniform in that
        range, so the reverse pass also learns small-norm z (z = 0 included when lowest is 0); [] draws
        every z at temperature 1 (the paper).
    lr_schedule="cosine" with lr_warmup_iters: cosine decay to lr*1e-2 after a linear warm-up.
    init_from: start from trained weights: the same scale (fine-tuning) or a lower one (its first stages).
    autocast_bf16: bf16 autocast for the convolutions (GPUs, CPUs with native bf16; elsewhere it is ignored
        with a warning, as bf16 there is slower than fp32).
    channels_last: NHWC memory layout (faster convolutions with oneDNN and cuDNN).
    color_augment: permute RGB channels and raise saturation of training patches (see PatchDataset).
    noise_augment: max std of per-channel Gaussian noise added to training patches (0: off).
    adam_eps: Adam's epsilon (1e-8 as the official code). Adam moves a weight by about ``lr`` whatever
        its gradient's size, so a gradient that is float noise around zero moves it by +-lr; a larger
        epsilon damps that (the multi-process test uses it to compare process counts).

    JPEG-robust training (off by default):
    jpeg_in_loop: (lowest, highest) JPEG quality. Each step stores the LR of most patches as a real JPEG
        (OpenCV, 4:2:0) at a random quality in that range, a compression-restoration module (nn.crm)
        works on the decoded LR, and the reverse pass restores from its output; the gradient passes the
        codec straight through. IRN and module are trained together, and the module's learning rate is
        ``crm_lr_factor`` times ``lr`` (it starts from the identity).
    jpeg_lossless_share: the share of patches kept lossless, so the model stays good without JPEG.
    val_jpeg_quality: validation of a JPEG-robust run also stores each LR as a JPEG of this quality
        (log column val_jpeg_psnr_y), beside the lossless figures.
    """

    model: str = "irn"
    scale: int = 4
    data: str = ""
    val: str = ""
    out: str = ""
    iters: int = 500_000
    batch: int = 16
    patch: int = 144
    lr: float = 2e-4
    betas: tuple[float, float] = (0.9, 0.999)
    adam_eps: float = 1e-8
    weight_decay: float = 1e-5
    lr_schedule: str = "multistep"
    lr_milestones: tuple[int, ...] = (100_000, 200_000, 300_000, 400_000)
    lr_gamma: float = 0.5
    lr_warmup_iters: int = 0
    grad_clip: float = 10.0
    lambda_forward: float | None = None
    lambda_backward: float = 1.0
    lambda_distribution: float = 1.0
    z_warmup_iters: int = 0
    z_temperature_range: tuple[float, ...] = ()
    init_from: str = ""
    autocast_bf16: bool = False
    channels_last: bool = False
    color_augment: bool = False
    noise_augment: float = 0.0
    device: str = "auto"
    threads: int = 0
    workers: int = 1
    seed: int = 0
    val_every: int = 250
    val_draws: int = 2
    val_max_images: int = 5
    checkpoint_every: int = 50
    keep_checkpoints: int = 3
    log_every: int = 10
    spike_factor: float = 5.0
    max_rollbacks: int = 5
    jpeg_in_loop: tuple[int, ...] = ()
    jpeg_lossless_share: float = 0.2
    crm_lr_factor: float = 5.0
    val_jpeg_quality: int = 90
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.betas = (float(self.betas[0]), float(self.betas[1]))
        self.lr_milestones = tuple(self.lr_milestones)
        self.jpeg_in_loop = tuple(int(q) for q in self.jpeg_in_loop)
        self.z_temperature_range = tuple(float(t) for t in self.z_temperature_range)
        if self.lambda_forward is None:
            self.lambda_forward = PAPER_LAMBDA_FORWARD.get(self.scale, 16.0)

    def validate(self) -> None:
        def need(condition: bool, message: str) -> None:
            if not condition:
                raise ConfigError(message)

        need(self.model in ("irn", "sr"), f"model must be 'irn' or 'sr', got {self.model!r}")
        need(self.scale in (2, 4, 8), f"scale must be 2, 4 or 8, got {self.scale}")
        need(self.iters > 0, f"iters must be positive, got {self.iters}")
        need(self.batch > 0, f"batch must be positive, got {self.batch}")
        need(
            self.patch >= 8 * self.scale and self.patch % self.scale == 0,
            f"patch must be a multiple of {self.scale} and at least {8 * self.scale}, got {self.patch}",
        )
        need(self.lr > 0, f"lr must be positive, got {self.lr}")
        need(
            self.lr_schedule in ("multistep", "cosine"),
            f"lr_schedule must be 'multistep' or 'cosine', got {self.lr_schedule!r}",
        )
        need(0 <= self.noise_augment <= 0.5, f"noise_augment must be in [0, 0.5], got {self.noise_augment}")
        need(self.grad_clip >= 0, f"grad_clip must be >= 0, got {self.grad_clip}")
        need(self.z_warmup_iters >= 0, f"z_warmup_iters must be >= 0, got {self.z_warmup_iters}")
        need(
            not self.z_temperature_range
            or (len(self.z_temperature_range) == 2 and 0 <= self.z_temperature_range[0] <= self.z_temperature_range[1]),
            f"z_temperature_range must be [] or [lowest, highest] with 0 <= lowest <= highest, "
            f"got {list(self.z_temperature_range)}",
        )
        need(self.checkpoint_every > 0, f"checkpoint_every must be positive, got {self.checkpoint_every}")
        need(self.keep_checkpoints >= 1, f"keep_checkpoints must be >= 1, got {self.keep_checkpoints}")
        need(
            self.device in ("auto", "cpu", "cuda", "mps") or self.device.startswith("cuda:"),
            f"device must be auto, cpu, cuda or mps, got {self.device!r}",
        )
        need(
            not self.jpeg_in_loop
            or (len(self.jpeg_in_loop) == 2 and 1 <= self.jpeg_in_loop[0] <= self.jpeg_in_loop[1] <= 100),
            f"jpeg_in_loop must be [] or [lowest, highest] qualities in 1-100, got {list(self.jpeg_in_loop)}",
        )
        need(
            0 <= self.jpeg_lossless_share < 1,
            f"jpeg_lossless_share must be in [0, 1), got {self.jpeg_lossless_share}",
        )
        need(not self.jpeg_in_loop or self.model == "irn", "jpeg_in_loop trains an IRN (model 'irn')")
        need(1 <= self.val_jpeg_quality <= 100, f"val_jpeg_quality must be in 1-100, got {self.val_jpeg_quality}")
        need(bool(self.data), "data: give a folder of training images")
        need(Path(self.data).is_dir(), f"data folder {self.data} does not exist")
        need(not self.val or Path(self.val).is_dir(), f"val folder {self.val} does not exist")
        need(bool(self.out), "out: give a run folder")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown training option(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return cls(**values)

    @classmethod
    def from_file(cls, path: str | Path) -> TrainConfig:
        try:
            values = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read config {path}: {exc}") from exc
        if not isinstance(values, dict):
            raise ConfigError(f"config {path} must hold a JSON object")
        return cls.from_dict(values)
