"""LTI 1.3 Advantage: the answer pages launched from an LMS (Moodle, Canvas, Brightspace, …), scores sent back.

`routes` holds the fixed endpoints (/lti/login, /lti/launch, /lti/jwks, /lti/deep-link, /lti/config);
`staff_actions` a quiz's staff page's LTI part and buttons; `launch` checks an id_token (with `platform_keys`,
the platforms' JWK Sets); `keys` the tool's own signing keys; `records` the LTI state in the course's database
(logins, nonces, launches, posts to line items); `people` who a launch is (roster, recorded variant); `session`
the session cookie and the framing it allows; `services` the platform's OAuth 2 token, score (AGS) and
membership (NRPS) services; `scores` what a quiz owes the LMS (the score at the release, progress at a submit)
and the thread that sends it; `deep_linking` the quiz picker; `tool_config` what a lecturer registers in the
LMS; `state` what they share in one app (web.course's served quizzes among it).
JWTs are PyJWT's (RSA from `cryptography`): no signature code of our own.
"""
