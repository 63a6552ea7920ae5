"""The HTTP kit shared by the staff web app, the portal and the API: route rules, cookie sessions, security
headers, request limits, rate limiting and the interface language.
"""
