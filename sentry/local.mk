# burrow-sentry
