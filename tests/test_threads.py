"""Thread safety: animations saved and encoded from several threads at once give the bytes of sequential calls.

Two things were shared between threads: the encoder's colour table (a
2**24-entry lookup reused between calls, which corrupted pixels when two
encodes overlapped) and matplotlib (global rcParams, mathtext's parser).
"""

from __future__ import annotations

import threading

import numpy as np

import convanim
from convanim.encode import encode_gif_bytes

CONFIGS = [
    dict(input_size=4, kernel_size=3),
    dict(input_size=5, kernel_size=3, stride=2, padding=1, layout="flat"),
    dict(input_size=4, kernel_size=3, view="values"),
    dict(input_size=(5,), kernel_size=(3,), view="1d"),
    dict(input_size=3, kernel_size=2, view="matrix"),
    dict(input_size=4, kernel_size=3, padding=1, theme="dark", labels=True),
    dict(input_size=4, kernel_size=2, layout="flat", caption=True, theme="colorblind"),
    dict(input_size=(4,), kernel_size=(2,), padding="full", view="1d", flip=True),
]
EXTS = [".gif", ".png", ".webp", ".gif", ".gif", ".png", ".gif", ".webp"]


def _run(jobs) -> list:
    """Run every job in its own thread, all started together; return results in order (re-raising errors)."""
    results: list = [None] * len(jobs)
    errors: list = []
    start = threading.Barrier(len(jobs))

    def work(i, job):
        try:
            start.wait()
            results[i] = job()
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_animate_save_and_gif_bytes_from_eight_threads(tmp_path):
    sequential_gifs = [convanim.animate(**c).gif_bytes() for c in CONFIGS]
    sequential_files = []
    for i, (c, ext) in enumerate(zip(CONFIGS, EXTS)):
        path = convanim.animate(**c).save(tmp_path / f"seq{i}{ext}")
        sequential_files.append(path.read_bytes())
    assert len(set(sequential_gifs)) == len(CONFIGS)  # eight different animations

    def job(i):
        def run():
            anim = convanim.animate(**CONFIGS[i])  # built in the thread too (mathtext, rcParams)
            gif = anim.gif_bytes()
            path = anim.save(tmp_path / f"par{i}{EXTS[i]}")
            return gif, path.read_bytes()
        return run

    results = _run([job(i) for i in range(len(CONFIGS))])
    assert [gif for gif, _ in results] == sequential_gifs
    assert [data for _, data in results] == sequential_files


def _many_colour_frames(seed: int, n: int = 6) -> list[np.ndarray]:
    """Frames with hundreds of colours, different per seed: each encode fills much of the colour table."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    frames = []
    for k in range(n):
        frame = base.copy()
        frame[k * 6 : k * 6 + 12, :, seed % 3] ^= np.uint8(85 + k)
        frames.append(frame)
    return frames


def test_encode_gif_bytes_from_eight_threads():
    inputs = [_many_colour_frames(seed) for seed in range(8)]
    options = [dict(palette=[(0, 0, 0)]) if s % 2 else dict(palette=[(255, 255, 255)], palette_only=s % 4 == 1)
               for s in range(8)]
    expected = [encode_gif_bytes(f, 40, **o) for f, o in zip(inputs, options)]
    assert len(set(expected)) == 8
    for _ in range(3):
        got = _run([lambda f=f, o=o: encode_gif_bytes(f, 40, **o) for f, o in zip(inputs, options)])
        assert got == expected
