"""A Sevastopol problem report filled in as the regulation's Appendix 1 form, row by row."""

from __future__ import annotations

FORM = """\
Данные о заявителе: Иванова Анна Андреевна, медсестра, ГБУЗС «Горбольница №1», +7 978 000-00-00
ФИО пользователя, логин: Иванова А.А., ivanova_aa
Данные пациента: Петров П.П., карта 123456
Последовательность выполняемых действий: Регистратура → Расписание стандартное → запись к логопеду
Описание ошибки: Шаблона посещения для данной услуги не существует
Скриншоты: во вложении"""
ROWS = FORM.splitlines()


def without(*labels: str) -> str:
    """The form with the rows that start with these labels left out."""
    return "\n".join(row for row in ROWS if not row.startswith(labels))
