"""Helpers shared by test modules across apps: days, threads, worker processes, a private
Redis. (Each app's own factories stay in its tests/factories.py.)"""
