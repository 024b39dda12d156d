"""The Amazon States Language: definition models, paths, intrinsics, Choice rules, validation."""
