"""Render resources/icons/lambda-workbench.svg to the PNG sizes desktops ask for, with Qt's SVG renderer.

Run after changing the SVG (`make icons`); the PNGs are committed, so builds need no renderer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    icons = Path(__file__).resolve().parent.parent / "resources" / "icons"
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(icons / "lambda-workbench.svg"))
    if not renderer.isValid():
        print(f"render_icons: {icons / 'lambda-workbench.svg'} is not a valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = icons / f"{size}x{size}" / "lambda-workbench.png"
        target.parent.mkdir(exist_ok=True)
        if not image.save(str(target), "PNG"):
            print(f"render_icons: could not write {target}", file=sys.stderr)
            return 1
        print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
