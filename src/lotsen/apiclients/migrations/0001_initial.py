"""Machine clients of the API (issue 11): organisation, role and scopes, linked to
django-oauth-toolkit's application."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0005_identity_provider'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.OAUTH2_PROVIDER_APPLICATION_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiClient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='namn')),
                ('role', models.CharField(choices=[('system_admin', 'Systemadministratör'), ('organisation_admin', 'Organisationsadministratör'), ('kaa_coordinator', 'KAA-samordnare'), ('mentor', 'Mentor'), ('student_health', 'Elevhälsan'), ('counsellor', 'Studie- och yrkesvägledare'), ('case_worker', 'Coach/handläggare'), ('project_leader', 'Projektledare'), ('evaluator', 'Utvärderare'), ('young_person', 'Ung person')], max_length=32, verbose_name='roll')),
                ('scopes', models.JSONField(default=list, verbose_name='behörigheter')),
                ('client_id', models.CharField(max_length=100, unique=True, verbose_name='klient-id')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='skapad')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='återkallad')),
                ('application', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='api_client', to=settings.OAUTH2_PROVIDER_APPLICATION_MODEL)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='skapad av')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='api_clients', to='accounts.organisation', verbose_name='organisation')),
                ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='återkallad av')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='api_client', to=settings.AUTH_USER_MODEL, verbose_name='tjänstekonto')),
            ],
            options={
                'verbose_name': 'API-klient',
                'verbose_name_plural': 'API-klienter',
                'ordering': ['organisation__name', 'name'],
            },
        ),
    ]
