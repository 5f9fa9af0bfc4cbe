"""What a pane can show: result kinds and their labels, in menu order."""

KINDS = {
    "hr": "Original HR",
    "irn_hr": "IRN restored",
    "irn_lr": "IRN LR",
    "bicubic": "Bicubic↓ + Bicubic↑",
    "lanczos": "Bicubic↓ + Lanczos↑",
    "sr": "Bicubic↓ + SR net↑",
    "bicubic_lr": "Bicubic LR",
    "error:irn_hr": "Error |IRN − HR|",
    "error:bicubic": "Error |Bicubic − HR|",
    "error:lanczos": "Error |Lanczos − HR|",
    "error:sr": "Error |SR − HR|",
    "signed:irn_hr": "Signed error, IRN (luma x − HR)",
    "signed:bicubic": "Signed error, bicubic",
    "signed:lanczos": "Signed error, Lanczos",
    "signed:sr": "Signed error, SR",
    "flip:irn_hr": "FLIP perceptual error, IRN",
    "flip:bicubic": "FLIP perceptual error, bicubic",
    "flip:lanczos": "FLIP perceptual error, Lanczos",
    "flip:sr": "FLIP perceptual error, SR",
    "mean_draw": "Mean of sampled draws",
    "std_map": "Std over sampled draws",
}
LR_KINDS = ("irn_lr", "bicubic_lr")
COMPARED_KINDS = ("irn_hr", "bicubic", "lanczos", "sr")
BASELINE_KINDS = ("bicubic", "lanczos", "sr")
MAP_KINDS = (
    "error:irn_hr",
    "error:bicubic",
    "error:lanczos",
    "error:sr",
    "signed:irn_hr",
    "signed:bicubic",
    "signed:lanczos",
    "signed:sr",
    "flip:irn_hr",
    "flip:bicubic",
    "flip:lanczos",
    "flip:sr",
    "std_map",
)


def label(kind: str) -> str:
    return KINDS.get(kind, kind)
