"""Materials partners promote with: banners (with personal QR banners), promo texts and landing pages per offer."""
