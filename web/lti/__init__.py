"""LTI 1.3 Advantage: the answer pages launched from an LMS (Moodle, Canvas, Brightspace, …), scores sent back.

`routes` holds the fixed endpoints (/lti/login, /lti/launch, /lti/jwks, /lti/deep-link, /lti/config) and the
staff page's buttons; `launch` checks an id_token (with `platform_keys`, the platforms' JWK Sets); `keys` the
tool's own signing keys; `records` the LTI state in the database (logins, nonces, launches, score posts);
`people` who a launch is (roster, recorded variant); `session` the session cookie and the framing it allows;
`services` the platform's OAuth 2 token, score (AGS) and membership (NRPS) services; `scores` the scores of a
quiz posted to the LMS; `deep_linking` the quiz picker; `tool_config` what a lecturer registers in the LMS.
JWTs are PyJWT's (RSA from `cryptography`): no signature code of our own.
"""
