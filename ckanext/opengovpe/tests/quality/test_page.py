"""The dataset page's quality box: the score and what to fix, worth most first."""
from __future__ import annotations

import re


def test_the_dataset_page_shows_the_score_and_the_fixes(app, described):
    html = app.get(f"/dataset/{described['name']}").body
    box = html[html.index('id="calidad-metadatos"'):]
    box = box[:box.index("</section>")]
    assert "Calidad de los metadatos" in box
    assert "325 de 405 puntos" in box
    fixes = re.findall(r"<li>(.*?) <strong>\+(\d+)</strong></li>", box, re.S)
    assert [(text.strip()[:40], int(points)) for text, points in fixes] == [
        ("Haga que la dirección de acceso de cada ", 50),
        ("Haga que cada dirección de descarga resp", 30)]


def test_the_box_speaks_english_too(app, described):
    html = app.get(f"/en/dataset/{described['name']}").body
    assert "325 of 405 points" in html
    assert "Make every download address answer" in html
