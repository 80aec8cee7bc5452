"""Tools around the platform: the API client, demo, seed, fuzz, benches and metering."""
