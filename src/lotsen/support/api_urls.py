"""The support API under /api/v1/: cases (with their plan and contacts) and referrals."""

from rest_framework.routers import SimpleRouter

from lotsen.support.api import CaseViewSet, ReferralViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = router.urls
