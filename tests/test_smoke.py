from tests.conftest import make_ficha, make_user


def test_home_and_sheet_pages_render(client):
    owner = make_user(name="Ana Quispe")
    ficha = make_ficha(owner=owner, lessons="Los acuerdos son la clave del manejo del agua.")
    home = client.get("/")
    assert home.status_code == 200
    assert "Gestión territorial con los ayllus de Taraco" in home.get_data(as_text=True)
    page = client.get(f"/fichas/{ficha.id}")
    assert page.status_code == 200
    assert "Los acuerdos son la clave" in page.get_data(as_text=True)
