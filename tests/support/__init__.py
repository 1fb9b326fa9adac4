"""Helpers the tests share that are neither fakes nor fixtures: throwaway servers and databases."""
