"""Corbado Connect: the Backend API client, the passkey data reader and a local emulator."""
