"""Build a tiny random-weight Whisper checkpoint in transformers format, offline.

Shaped like a real multilingual checkpoint (the default model's tokenizer, language tokens in
the generation config) but with 32-wide layers, so conversion and loading take seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

from models import default

FIRST_LANGUAGE_ID = 50259  # <|en|>
LAST_LANGUAGE_ID = 50357  # <|su|>; the 99 language tokens of the multilingual vocabulary


def build_tiny_whisper(out_dir: Path, seed: int = 0) -> Path:
    import torch
    from transformers import GenerationConfig, WhisperConfig, WhisperForConditionalGeneration
    from transformers import WhisperTokenizerFast

    torch.manual_seed(seed)
    config = WhisperConfig(
        vocab_size=51865, num_mel_bins=80, d_model=32,
        encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64,
        decoder_start_token_id=50258, pad_token_id=50257, bos_token_id=50257,
        eos_token_id=50257,
    )
    model = WhisperForConditionalGeneration(config)
    tokenizer_json = default.package_file(*default.WHISPER_BASE_TOKENIZER)
    added = json.loads(tokenizer_json.read_text())["added_tokens"]
    lang_to_id = {t["content"]: t["id"] for t in added
                  if FIRST_LANGUAGE_ID <= t["id"] <= LAST_LANGUAGE_ID}
    model.generation_config = GenerationConfig(
        decoder_start_token_id=50258, eos_token_id=50257, pad_token_id=50257,
        lang_to_id=lang_to_id, suppress_tokens=[], begin_suppress_tokens=[220, 50257],
        no_timestamps_token_id=50363,
    )
    model.save_pretrained(out_dir)
    tokenizer = WhisperTokenizerFast(tokenizer_file=str(tokenizer_json))
    tokenizer.save_pretrained(out_dir)
    return out_dir


def build_mute_whisper(out_dir: Path) -> Path:
    """The tiny random checkpoint (above), made to end every transcript at
    once: its decoder's last layer norm gives one constant vector, to which only the
    end-of-text embedding points. Random weights otherwise babble up to 448 tokens, with
    every temperature fallback: seconds per clip instead of milliseconds."""
    import torch
    from transformers import WhisperForConditionalGeneration

    build_tiny_whisper(out_dir)
    model = WhisperForConditionalGeneration.from_pretrained(out_dir)
    with torch.no_grad():
        norm = model.model.decoder.layer_norm
        norm.weight.zero_()
        norm.bias.copy_(torch.linspace(-1.0, 1.0, norm.bias.numel()))
        embeddings = model.model.decoder.embed_tokens.weight
        embeddings[model.config.eos_token_id] = norm.bias * (50.0 / norm.bias.norm() ** 2)
    model.save_pretrained(out_dir)
    return out_dir
