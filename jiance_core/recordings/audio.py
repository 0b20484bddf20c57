"""Decoding a recording with PyAV (FFmpeg's libraries): the content check (it must decode as
audio) and mono float samples for `checks`. The container and codec are what the browser's
MediaRecorder offers: Opus in WebM (Chromium, Firefox) or AAC in MP4 (Safari).

Decoding stops after `MAX_DECODE_SECONDS` of sound, so a small file that claims hours cannot
hold a worker."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np

CONTENT_TYPES = {"audio/webm": "webm", "audio/mp4": "mp4", "audio/ogg": "ogg"}
MAX_DECODE_SECONDS = 15 * 60


class AudioError(ValueError):
    """Not a recording that can be decoded (reason in Chinese)."""


@dataclass(frozen=True)
class Decoded:
    samples: np.ndarray  # mono float32
    rate: int
    codec: str
    container: str


def base_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def decode(data: bytes) -> Decoded:
    """Mono float samples of the first audio stream, or AudioError."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            streams = container.streams.audio
            if not streams:
                raise AudioError("文件中没有音频")
            stream = streams[0]
            rate = int(stream.codec_context.sample_rate or stream.rate or 48000)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            chunks: list[np.ndarray] = []
            total = 0
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += len(chunk)
                if total > MAX_DECODE_SECONDS * rate:
                    raise AudioError("录音超过 15 分钟，无法检查")
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
            codec = stream.codec_context.name
            name = container.format.name
    except AudioError:
        raise
    except (av.FFmpegError, ValueError, IndexError, EOFError) as exc:
        raise AudioError("文件无法解码为音频，请重新录音") from exc
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if not len(samples):
        raise AudioError("文件中没有声音数据，请重新录音")
    return Decoded(samples=samples, rate=rate, codec=codec, container=name)


def encode(samples: np.ndarray, rate: int = 48000, *, container: str = "webm", codec: str = "libopus") -> bytes:
    """Mono float samples encoded as a browser would (tests, the bench, the demo)."""
    out = io.BytesIO()
    with av.open(out, mode="w", format=container) as box:
        stream = box.add_stream(codec, rate=rate, layout="mono")
        assert isinstance(stream, av.AudioStream)
        x = np.clip(np.asarray(samples, dtype=np.float32), -1, 1).reshape(1, -1)
        step = 960
        pts = 0
        for start in range(0, x.shape[1], step):
            block = x[:, start:start + step]
            frame = av.AudioFrame.from_ndarray(block, format="flt", layout="mono")
            frame.sample_rate = rate
            frame.pts = pts
            pts += block.shape[1]
            for packet in stream.encode(frame):
                box.mux(packet)
        for packet in stream.encode(None):
            box.mux(packet)
    return out.getvalue()


def tone(seconds: float, *, rate: int = 48000, freq: float = 440.0, amplitude: float = 0.3) -> np.ndarray:
    """A sine tone (clipped to [-1, 1] when `amplitude` > 1)."""
    t = np.arange(int(seconds * rate)) / rate
    return np.clip(amplitude * np.sin(2 * np.pi * freq * t), -1, 1).astype(np.float32)
