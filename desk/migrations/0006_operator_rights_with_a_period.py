"""An operator's right at a station gets a period: Station.operators goes through a model
of its own, StationOperator, on the table Django made for the plain many-to-many
(station_station_operators: id, station_id, user_id, unique per station and user). The
model takes that table over as it is (state only), then the period's columns are added."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('station', '0005_station_names_en'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='StationOperator',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('station', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='operator_rights', to='station.station', verbose_name='kortstation')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='station_rights', to=settings.AUTH_USER_MODEL, verbose_name='operatör')),
                    ],
                    options={
                        'verbose_name': 'operatörsbehörighet',
                        'verbose_name_plural': 'operatörsbehörigheter',
                        'db_table': 'station_station_operators',
                        'unique_together': {('station', 'user')},
                    },
                ),
                migrations.AlterField(
                    model_name='station',
                    name='operators',
                    field=models.ManyToManyField(blank=True, help_text='Användare som får arbeta vid stationen. De behöver också behörigheten Arbeta vid en kortstation.', related_name='stations', through='station.StationOperator', to=settings.AUTH_USER_MODEL, verbose_name='operatörer'),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name='stationoperator',
            name='valid_from',
            field=models.DateTimeField(blank=True, help_text='Tomt: gäller redan.', null=True, verbose_name='gäller från'),
        ),
        migrations.AddField(
            model_name='stationoperator',
            name='valid_until',
            field=models.DateTimeField(blank=True, help_text='Tomt: gäller tills vidare. Rätten upphör i samma stund som tiden passeras.', null=True, verbose_name='gäller till'),
        ),
        migrations.AddField(
            model_name='stationoperator',
            name='recorded_end',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='registrerat slut'),
        ),
        migrations.AddConstraint(
            model_name='stationoperator',
            constraint=models.CheckConstraint(condition=models.Q(('valid_from__isnull', True), ('valid_until__isnull', True), ('valid_until__gt', models.F('valid_from')), _connector='OR'), name='station_operator_period_in_order', violation_error_message='Slutet måste komma efter början.'),
        ),
    ]
