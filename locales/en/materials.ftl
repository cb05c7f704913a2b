## Materials: partners
page-prev = ◀️ Back a page
page-next = Next page ▶️
mat-none = There are no materials yet — we'll let you know when banners and texts appear.
mat-offers = 🖼 Materials: choose an offer.{ $pages ->
        [1] {""}
       *[other] {" "}Page { $page }/{ $pages }.
    }
mat-offer-item = { $name } ({ $count })
mat-list =
    🖼 { $offer }: { $count } materials{ $pages ->
        [1] {""}
       *[other] , page { $page }/{ $pages }
    }.
    Pick one: you get it with your link filled in, ready to forward.
mat-item = { $icon } { $title }
mat-btn-promo = 🎟 My promo code
mat-banner-caption =
    { $title }
    { $url }{ $has_promo ->
        [yes] {"\u000A"}Promo code: { $promo }
       *[no] {""}
    }
mat-text-filled = { $text }
mat-landing-ready =
    🌐 { $title }
    Your link to this page: { $url }
mat-ready =
    ⬆️ Forward the message above as it is: { $kind ->
        [banner] the banner carries your link
        [text] the text carries your link
       *[landing] the link leads to this page
    }, and every click is counted to you.
    Link: { $url }{ $has_promo ->
        [yes] {"\u000A"}Promo code: { $promo }
       *[no] {""}
    }
    Placement: { $placement }
    For a channel, post or video of its own, get a link for that placement: its clicks are counted apart.
mat-btn-qr = 🔳 Banner with my QR code
mat-btn-placement = 📍 Link for a placement…
mat-qr-caption =
    { $title }
    { $url }
mat-ask-placement =
    Name the placement, e.g. tg_channel or vk_post_42 (letters, digits, _ - ., up to 32). It becomes the link's sub-id.
    { $has_current ->
        [yes] Current: { $current }
       *[no] {""}
    }
mat-err-placement = Use letters, digits and _ - . only, up to 32 characters, e.g. tg_channel.
mat-new-notice =
    🆕 New { $kind ->
        [banner] banner
        [text] promo text
       *[landing] landing page
    } for { $offer }: { $title }
mat-btn-open = 👀 Open

## Materials: managers
admin-btn-materials = 🖼 Materials
mat-admin-offers = 🖼 Materials: choose an offer (draft and published materials in brackets).{ $pages ->
        [1] {""}
       *[other] {" "}Page { $page }/{ $pages }.
    }
mat-admin-list =
    🖼 { $offer }: { $count } materials{ $pages ->
        [1] {""}
       *[other] , page { $page }/{ $pages }
    }.
mat-admin-item = { $status ->
        [draft] ✏️
        [published] ✅
       *[archived] 🗄
    } { $icon } { $title }
mat-btn-add = ➕ Add
mat-btn-codes = 🎟 Promo codes
mat-admin-add = What kind of material?
mat-kind-banner = 🖼 Banner (a picture)
mat-kind-text = 📝 Promo text
mat-kind-landing = 🌐 Landing page
mat-ask-banner = Send the banner as a photo or an image file (JPEG, PNG or WebP). Its caption becomes the title.
mat-ask-title = { $step }/{ $steps }. Title partners see in the list (2–128 characters):
mat-ask-text =
    { $step }/{ $steps }. The promo text. Put {"{"}link{"}"} where the partner's link goes and, if you like, {"{"}promo{"}"} where their promo code goes, e.g.:
    Get 10% off with code {"{"}promo{"}"}: {"{"}link{"}"}
mat-ask-landing = { $step }/{ $steps }. The landing page's URL (https://…): clicks on partners' links will land there.
mat-admin-card =
    { $kind ->
        [banner] 🖼 Banner
        [text] 📝 Promo text
       *[landing] 🌐 Landing page
    } #{ $id }: { $title }
    Status: { $status ->
        [draft] draft — partners don't see it yet
        [published] published
       *[archived] archived
    }{ $kind ->
        [banner] {"\u000A"}{ $width }×{ $height } { $format }, { $kb } KB
       *[other] {"\u000A"}{ $body }
    }
mat-btn-publish = ✅ Publish
mat-btn-archive = 🗄 Archive
mat-published = Published; partners notified: { $count }
mat-not-draft = Already published or archived
mat-archived = Archived
mat-already = Already archived
mat-err-image = That is not a usable image: send a JPEG, PNG or WebP of at least 100×100 pixels and up to { $max_mb } MB.
mat-err-photo = Send the banner as a photo or an image file.
mat-err-download = The file could not be downloaded — please send it again.
mat-err-placeholder = Only {"{"}link{"}"} and {"{"}promo{"}"} may stand in braces (found: { $name }).
mat-err-no-link = The text needs {"{"}link{"}"} where the partner's link goes.

## Promo codes
promo-yours =
    🎟 Your promo code for { $offer }: { $code }
    A customer who enters it at checkout is counted to you, even without clicking your link.
promo-admin-list =
    🎟 Promo codes for { $offer }: { $count } active{ $pages ->
        [1] {""}
       *[other] , page { $page }/{ $pages }
    }.
promo-admin-item = { $code } · { $name }
promo-btn-set = ✍️ Set a code
promo-admin-card =
    🎟 { $code } ({ $status ->
        [active] active
       *[revoked] revoked
    })
    Partner: { $partner } (#{ $partner_id })
    Offer: { $offer }
    Issued: { $source ->
        [approval] on approval
        [request] at the partner's request
       *[manager] by a manager
    }
promo-btn-revoke = ❌ Revoke
promo-revoked = Code { $code } revoked; the partner was told
promo-already-revoked = Code { $code } was already revoked
promo-ask-partner = { $step }/{ $steps }. Which partner? Send their number (#12) or referral code.
promo-ask-code = { $step }/{ $steps }. The code (4–16 letters and digits, e.g. IVAN25):
promo-err-partner = Send the partner's number, e.g. #12, or their referral code.
promo-err-format = A code is { $min }–{ $max } Latin letters and digits, e.g. IVAN25.
promo-reuse-ask = Code { $code } was revoked from partner #{ $holder_id } { $holder }. Give it to partner #{ $partner_id } anyway? Sales with it will count to the new owner.
promo-btn-reuse = ♻️ Yes, reuse it
promo-set-set = ✅ Partner #{ $partner_id } now has code { $code }; they were told.
promo-set-unchanged = Partner #{ $partner_id } already has code { $code }.
promo-set-taken = Code { $code } belongs to partner #{ $holder_id } { $holder } — revoke it there first, or pick another.
promo-set-revoked-elsewhere = Code { $code } was revoked from partner #{ $holder_id } { $holder }.
promo-set-no-partner = No approved partner with that number or code.
promo-set-no-offer = This offer no longer exists.
promo-set-notice = 🎟 Your promo code for { $offer } is now { $code }.
promo-revoked-notice = 🎟 Your promo code { $code } for { $offer } no longer works. Ask for a new one in Materials.
