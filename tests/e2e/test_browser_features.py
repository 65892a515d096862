"""The Permissions-Policy header as Chromium reads it: every feature named is one it knows,
and the features the product never uses are off."""


def test_chromium_knows_every_feature_the_header_names_and_turns_them_off(journey):
    complaints = []
    journey.page.on(
        "console",
        lambda message: (
            complaints.append(message.text) if "Permissions-Policy" in message.text else None
        ),
    )

    journey.goto("/account/login/")
    journey.page.wait_for_load_state("load")

    assert complaints == []
    allows = journey.page.evaluate(
        "features => features.map(f => document.featurePolicy.allowsFeature(f))",
        ["camera", "microphone", "geolocation", "payment", "publickey-credentials-get"],
    )
    assert allows == [False, False, False, False, True]
