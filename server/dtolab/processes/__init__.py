"""What-if models and tools, each usable as a plain function and as a pygeoapi process plugin."""
